import { z } from "zod";
import { fields } from "../lib/validation";
import { KNOWLEDGE_LIMITS as L } from "./knowledge-limits";

export const TEXT_CONTENT_TYPES = ["text/markdown", "text/plain"] as const;
export const UPLOAD_CONTENT_TYPES = ["text/markdown", "text/plain", "application/pdf"] as const;
export type DocumentContentType = (typeof UPLOAD_CONTENT_TYPES)[number];

export const chunkingInput = z.strictObject({
  size: z.number().int().min(L.minChunkSize).max(L.maxChunkSize).optional(),
  overlap: z.number().int().min(0).max(L.maxChunkSize).optional(),
});
export type ChunkingInput = z.infer<typeof chunkingInput>;

/** The size of `text` is checked in bytes by the service (PayloadTooLargeError), not here. */
const documentText = z.string();
const title = z.string().trim().min(1, "Must not be empty").max(L.maxTitleChars, `Must be at most ${L.maxTitleChars} characters`);

/** A plain file name: no folders, no leading dot, an extension the ingester reads. */
export const filename = z
  .string()
  .max(L.maxFilenameChars, `Must be at most ${L.maxFilenameChars} characters`)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._()-]*\.(md|markdown|txt|text|pdf)$/i, "Must be a plain file name ending in .md, .markdown, .txt, .text or .pdf");

export const createDocumentBody = z.strictObject({
  title,
  text: documentText,
  /** @default "text/markdown" */
  contentType: z.enum(TEXT_CONTENT_TYPES).optional(),
  chunking: chunkingInput.optional(),
});
export type CreateDocumentInput = z.infer<typeof createDocumentBody>;

export const createUploadBody = z.strictObject({
  title,
  filename,
  contentType: z.enum(UPLOAD_CONTENT_TYPES),
  chunking: chunkingInput.optional(),
});
export type CreateUploadInput = z.infer<typeof createUploadBody>;

export const reingestBody = z.strictObject({
  /** New text for a text document; omitted, the stored text (or the uploaded file) is re-read. */
  text: documentText.optional(),
  chunking: chunkingInput.optional(),
});
export type ReingestInput = z.infer<typeof reingestBody>;

export const listDocumentsQuery = z.strictObject({
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().max(500).optional(),
});

export const retrieveRequest = z.strictObject({
  query: z.string().trim().min(1, "Must not be empty").max(L.maxQueryChars, `Must be at most ${L.maxQueryChars} characters`),
  /** An empty list restricts retrieval to no documents (nothing is returned). */
  documentIds: z.array(fields.id).max(L.maxDocumentIdsFilter, `At most ${L.maxDocumentIdsFilter} documents`).optional(),
  topK: z.number().int().min(1).max(L.maxTopK).optional(),
});

const workspaceScoped = { workspaceId: fields.id };
const documentScoped = { workspaceId: fields.id, documentId: fields.id };

export const createDocumentInput = createDocumentBody.extend(workspaceScoped);
export const createUploadInput = createUploadBody.extend(workspaceScoped);
export const documentRefInput = z.strictObject(documentScoped);
export const reingestInput = reingestBody.extend(documentScoped);
export const listDocumentsInput = z.strictObject({ ...workspaceScoped, pageSize: z.number().int().min(1).max(100).optional(), cursor: z.string().max(500).optional() });
export const searchInput = retrieveRequest.extend(workspaceScoped);

/**
 * Bodies carry up to a 1 MB text, which JSON escaping can grow (a newline takes two bytes); the
 * service then enforces the 1 MB on the text itself.
 */
export const DOCUMENT_BODY_MAX_BYTES = 2 * L.maxTextBytes + 64 * 1024;
