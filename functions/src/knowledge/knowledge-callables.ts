import { onCall } from "firebase-functions/v2/https";
import { callableOptions } from "../app/function-options";
import { services } from "../app/services";
import type { Principal } from "../identity/principal";
import { callableHandler, type Caller } from "../lib/callable";
import {
  createDocumentInput,
  createUploadInput,
  DOCUMENT_BODY_MAX_BYTES,
  documentRefInput,
  listDocumentsInput,
  reingestInput,
  searchInput,
} from "./document-schemas";

const user = (caller: Caller): Principal => ({ kind: "user", uid: caller.uid });

export const createDocumentHandler = callableHandler({
  name: "knowledge.createDocument",
  input: createDocumentInput,
  parse: { maxBytes: DOCUMENT_BODY_MAX_BYTES },
  rateLimit: { policy: "write" },
  handle: ({ workspaceId, ...input }, caller) => services().knowledge.createDocument(user(caller), workspaceId, input),
});

export const createDocumentUploadHandler = callableHandler({
  name: "knowledge.createDocumentUpload",
  input: createUploadInput,
  rateLimit: { policy: "write" },
  handle: ({ workspaceId, ...input }, caller) => services().knowledge.createDocumentUpload(user(caller), workspaceId, input),
});

export const getDocumentHandler = callableHandler({
  name: "knowledge.getDocument",
  input: documentRefInput,
  rateLimit: { policy: "read" },
  handle: ({ workspaceId, documentId }, caller) => services().knowledge.getDocument(user(caller), workspaceId, documentId),
});

export const listDocumentsHandler = callableHandler({
  name: "knowledge.listDocuments",
  input: listDocumentsInput,
  rateLimit: { policy: "read" },
  handle: ({ workspaceId, pageSize, cursor }, caller) => services().knowledge.listDocuments(user(caller), workspaceId, pageSize, cursor),
});

export const reingestDocumentHandler = callableHandler({
  name: "knowledge.reingestDocument",
  input: reingestInput,
  parse: { maxBytes: DOCUMENT_BODY_MAX_BYTES },
  rateLimit: { policy: "write" },
  handle: ({ workspaceId, documentId, ...input }, caller) => services().knowledge.reingestDocument(user(caller), workspaceId, documentId, input),
});

export const deleteDocumentHandler = callableHandler({
  name: "knowledge.deleteDocument",
  input: documentRefInput,
  rateLimit: { policy: "write" },
  handle: async ({ workspaceId, documentId }, caller) => {
    await services().knowledge.deleteDocument(user(caller), workspaceId, documentId);
    return { deleted: true };
  },
});

export const searchDocumentsHandler = callableHandler({
  name: "knowledge.search",
  input: searchInput,
  rateLimit: { policy: "read" },
  handle: async ({ workspaceId, ...request }, caller) => ({ results: await services().knowledge.retrieve(user(caller), workspaceId, request) }),
});

export const createDocument = onCall(callableOptions, createDocumentHandler);
export const createDocumentUpload = onCall(callableOptions, createDocumentUploadHandler);
export const getDocument = onCall(callableOptions, getDocumentHandler);
export const listDocuments = onCall(callableOptions, listDocumentsHandler);
export const reingestDocument = onCall(callableOptions, reingestDocumentHandler);
export const deleteDocument = onCall(callableOptions, deleteDocumentHandler);
export const searchDocuments = onCall(callableOptions, searchDocumentsHandler);
