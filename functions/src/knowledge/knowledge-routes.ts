import { z } from "zod";
import { route } from "../api/route";
import { services } from "../app/services";
import { fields } from "../lib/validation";
import { createDocumentBody, createUploadBody, DOCUMENT_BODY_MAX_BYTES, listDocumentsQuery, reingestBody, retrieveRequest, UPLOAD_CONTENT_TYPES } from "./document-schemas";

const workspaceParams = z.strictObject({ workspaceId: fields.id });
const documentParams = z.strictObject({ workspaceId: fields.id, documentId: fields.id });

const documentView = z.object({
  id: z.string(),
  workspaceId: z.string(),
  title: z.string(),
  source: z.enum(["text", "upload"]),
  contentType: z.enum(UPLOAD_CONTENT_TYPES),
  filename: z.string().nullable(),
  status: z.enum(["pending", "processing", "ready", "failed"]),
  error: z.string().nullable(),
  sizeBytes: z.number(),
  chunking: z.object({ size: z.number(), overlap: z.number() }),
  chunkCount: z.number(),
  activeGeneration: z.number(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  readyAt: z.string().nullable(),
});

const searchHit = z.object({
  documentId: z.string(),
  documentTitle: z.string(),
  chunkId: z.string(),
  chunkIndex: z.number(),
  text: z.string(),
  headingPath: z.array(z.string()),
  score: z.number(),
  vectorScore: z.number(),
  lexicalScore: z.number(),
});

const uploadTicket = z.object({
  document: documentView,
  storagePath: z.string(),
  uploadUrl: z.string().nullable(),
  uploadUrlExpiresAt: z.string().nullable(),
  contentType: z.enum(UPLOAD_CONTENT_TYPES),
});

const base = "/v1/workspaces/{workspaceId}";

export const knowledgeRoutes = [
  route({
    method: "POST",
    path: `${base}/documents`,
    summary: "Add a document from text (Markdown or plain); it is chunked and embedded before the answer.",
    tags: ["documents"],
    scope: "documents:write",
    rateLimit: { policy: "write" },
    params: workspaceParams,
    body: createDocumentBody,
    maxBodyBytes: DOCUMENT_BODY_MAX_BYTES,
    response: documentView,
    successStatus: 201,
    handle: ({ principal, params, body }) => services().knowledge.createDocument(principal, params.workspaceId, body),
  }),
  route({
    method: "POST",
    path: `${base}/documents/uploads`,
    summary: "Start a file upload: creates a pending document and returns where to PUT the file.",
    tags: ["documents"],
    scope: "documents:write",
    rateLimit: { policy: "write" },
    params: workspaceParams,
    body: createUploadBody,
    response: uploadTicket,
    successStatus: 201,
    handle: ({ principal, params, body }) => services().knowledge.createDocumentUpload(principal, params.workspaceId, body),
  }),
  route({
    method: "GET",
    path: `${base}/documents`,
    summary: "List documents, newest first.",
    tags: ["documents"],
    scope: "documents:read",
    rateLimit: { policy: "read" },
    params: workspaceParams,
    query: listDocumentsQuery,
    response: z.object({ items: z.array(documentView), nextCursor: z.string().nullable() }),
    handle: ({ principal, params, query }) => services().knowledge.listDocuments(principal, params.workspaceId, query.pageSize, query.cursor),
  }),
  route({
    method: "GET",
    path: `${base}/documents/{documentId}`,
    summary: "Get a document and its ingestion status.",
    tags: ["documents"],
    scope: "documents:read",
    rateLimit: { policy: "read" },
    params: documentParams,
    response: documentView,
    handle: ({ principal, params }) => services().knowledge.getDocument(principal, params.workspaceId, params.documentId),
  }),
  route({
    method: "POST",
    path: `${base}/documents/{documentId}/reingest`,
    summary: "Re-chunk and re-embed a document (new text, new chunking, or its file re-read); swaps its chunks atomically.",
    tags: ["documents"],
    scope: "documents:write",
    rateLimit: { policy: "write" },
    params: documentParams,
    body: reingestBody,
    maxBodyBytes: DOCUMENT_BODY_MAX_BYTES,
    response: documentView,
    handle: ({ principal, params, body }) => services().knowledge.reingestDocument(principal, params.workspaceId, params.documentId, body),
  }),
  route({
    method: "DELETE",
    path: `${base}/documents/{documentId}`,
    summary: "Delete a document with its chunks and file.",
    tags: ["documents"],
    scope: "documents:write",
    rateLimit: { policy: "write" },
    params: documentParams,
    response: z.object({}),
    successStatus: 204,
    handle: async ({ principal, params }) => {
      await services().knowledge.deleteDocument(principal, params.workspaceId, params.documentId);
      return {};
    },
  }),
  route({
    method: "POST",
    path: `${base}/search`,
    summary: "Search the workspace's documents: hybrid (vector + BM25) ranked passages with citations.",
    tags: ["documents"],
    scope: "documents:read",
    rateLimit: { policy: "read" },
    params: workspaceParams,
    body: retrieveRequest,
    response: z.object({ results: z.array(searchHit) }),
    handle: async ({ principal, params, body }) => ({ results: await services().knowledge.retrieve(principal, params.workspaceId, body) }),
  }),
];
