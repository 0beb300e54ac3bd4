import { z } from "zod";
import { operation } from "../api/operation";
import {
  createDocumentInput,
  createUploadInput,
  DOCUMENT_BODY_MAX_BYTES,
  documentRefInput,
  listDocumentsInput,
  reingestInput,
  searchInput,
  UPLOAD_CONTENT_TYPES,
} from "./document-schemas";
import { DOCUMENT_FAILURE_CODES } from "./document-failures";
import type { KnowledgeService } from "./knowledge-service";

type Deps = { knowledge: KnowledgeService };

const BASE = "/v1/workspaces/{workspaceId}";

const documentView = z.object({
  id: z.string(),
  workspaceId: z.string(),
  title: z.string(),
  source: z.enum(["text", "upload"]),
  contentType: z.enum(UPLOAD_CONTENT_TYPES),
  filename: z.string().nullable(),
  status: z.enum(["pending", "processing", "ready", "failed"]),
  error: z.string().nullable(),
  /** Why a failed document failed: a code clients can act on, and its message (the same as `error`). */
  failure: z.object({ code: z.enum(DOCUMENT_FAILURE_CODES), message: z.string() }).nullable(),
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
  uploadHeaders: z.record(z.string(), z.string()).nullable(),
  contentType: z.enum(UPLOAD_CONTENT_TYPES),
});

/** The knowledge base: documents (text or uploaded files), their ingestion, and search. */
export const knowledgeOperations = {
  createDocument: operation({
    name: "knowledge.createDocument",
    callable: "createDocument",
    rest: { method: "POST", path: `${BASE}/documents`, successStatus: 201 },
    summary: "Add a document from text (Markdown or plain); it is chunked and embedded before the answer.",
    tags: ["documents"],
    action: "documents:write",
    usesLlm: true,
    rateLimit: { policy: "write" },
    input: createDocumentInput,
    maxInputBytes: DOCUMENT_BODY_MAX_BYTES,
    output: documentView,
    run: ({ knowledge }: Deps, principal, { workspaceId, ...input }) => knowledge.createDocument(principal, workspaceId, input),
  }),
  createDocumentUpload: operation({
    name: "knowledge.createDocumentUpload",
    callable: "createDocumentUpload",
    rest: { method: "POST", path: `${BASE}/documents/uploads`, successStatus: 201 },
    summary: "Start a file upload: creates a pending document and returns where to PUT the file.",
    tags: ["documents"],
    action: "documents:write",
    rateLimit: { policy: "write" },
    input: createUploadInput,
    output: uploadTicket,
    run: ({ knowledge }: Deps, principal, { workspaceId, ...input }) => knowledge.createDocumentUpload(principal, workspaceId, input),
  }),
  listDocuments: operation({
    name: "knowledge.listDocuments",
    callable: "listDocuments",
    rest: { method: "GET", path: `${BASE}/documents` },
    summary: "List documents, newest first.",
    tags: ["documents"],
    action: "documents:read",
    rateLimit: { policy: "read" },
    input: listDocumentsInput,
    output: z.object({ items: z.array(documentView), nextCursor: z.string().nullable() }),
    run: ({ knowledge }: Deps, principal, { workspaceId, pageSize, cursor }) => knowledge.listDocuments(principal, workspaceId, pageSize, cursor),
  }),
  getDocument: operation({
    name: "knowledge.getDocument",
    callable: "getDocument",
    rest: { method: "GET", path: `${BASE}/documents/{documentId}` },
    summary: "Get a document and its ingestion status.",
    tags: ["documents"],
    action: "documents:read",
    rateLimit: { policy: "read" },
    input: documentRefInput,
    output: documentView,
    run: ({ knowledge }: Deps, principal, { workspaceId, documentId }) => knowledge.getDocument(principal, workspaceId, documentId),
  }),
  reingestDocument: operation({
    name: "knowledge.reingestDocument",
    callable: "reingestDocument",
    rest: { method: "POST", path: `${BASE}/documents/{documentId}/reingest` },
    summary: "Re-chunk and re-embed a document (new text, new chunking, or its file re-read); swaps its chunks atomically.",
    tags: ["documents"],
    action: "documents:write",
    usesLlm: true,
    rateLimit: { policy: "write" },
    input: reingestInput,
    maxInputBytes: DOCUMENT_BODY_MAX_BYTES,
    output: documentView,
    run: ({ knowledge }: Deps, principal, { workspaceId, documentId, ...input }) => knowledge.reingestDocument(principal, workspaceId, documentId, input),
  }),
  deleteDocument: operation({
    name: "knowledge.deleteDocument",
    callable: "deleteDocument",
    rest: { method: "DELETE", path: `${BASE}/documents/{documentId}`, successStatus: 204, response: z.object({}) },
    summary: "Delete a document with its chunks and file.",
    tags: ["documents"],
    action: "documents:write",
    rateLimit: { policy: "write" },
    input: documentRefInput,
    output: z.object({ deleted: z.literal(true) }),
    run: async ({ knowledge }: Deps, principal, { workspaceId, documentId }) => {
      await knowledge.deleteDocument(principal, workspaceId, documentId);
      return { deleted: true as const };
    },
  }),
  searchDocuments: operation({
    name: "knowledge.search",
    callable: "searchDocuments",
    rest: { method: "POST", path: `${BASE}/search` },
    summary: "Search the workspace's documents: hybrid (vector + BM25) ranked passages with citations.",
    tags: ["documents"],
    action: "documents:read",
    usesLlm: true,
    rateLimit: { policy: "read" },
    input: searchInput,
    output: z.object({ results: z.array(searchHit) }),
    run: async ({ knowledge }: Deps, principal, { workspaceId, ...request }) => ({ results: await knowledge.retrieve(principal, workspaceId, request) }),
  }),
};
