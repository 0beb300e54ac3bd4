import { VectorValue } from "@google-cloud/firestore";
import { z } from "zod";
import { timestampField } from "../lib/firestore-records";
import { DOCUMENT_FAILURE_CODES } from "./document-failures";
import { UPLOAD_CONTENT_TYPES } from "./document-schemas";

/**
 * Firestore layout of the knowledge base:
 * - `workspaces/{w}/documents/{d}`: the document record (`StoredDocument`).
 * - `workspaces/{w}/documents/{d}/sources/g{generation}-p{part}`: the text of a pasted document,
 *   in parts under 1 MiB, kept so it can be re-chunked (`StoredSourcePart`).
 * - `workspaces/{w}/chunks/{d}-g{generation}-{index}`: one chunk with its vector (`StoredChunk`
 *   plus `embedding`).
 * A document serves the chunks of its `activeGeneration` only; 0 means none yet.
 */
export const DOCUMENTS = "documents";
export const CHUNKS = "chunks";
export const SOURCES = "sources";
export const EMBEDDING_FIELD = "embedding";

export const documentsPath = (workspaceId: string) => `workspaces/${workspaceId}/${DOCUMENTS}`;
export const documentPath = (workspaceId: string, documentId: string) => `${documentsPath(workspaceId)}/${documentId}`;
export const sourcesPath = (workspaceId: string, documentId: string) => `${documentPath(workspaceId, documentId)}/${SOURCES}`;
export const chunksPath = (workspaceId: string) => `workspaces/${workspaceId}/${CHUNKS}`;
export const chunkId = (documentId: string, generation: number, index: number) => `${documentId}-g${generation}-${index}`;
export const sourcePartId = (generation: number, part: number) => `g${generation}-p${part}`;

const count = z.number().int().nonnegative();

export const DOCUMENT_STATUSES = ["pending", "processing", "ready", "failed"] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];
export const DOCUMENT_SOURCES = ["text", "upload"] as const;
export type DocumentSource = (typeof DOCUMENT_SOURCES)[number];

export const storedDocumentSchema = z.object({
  title: z.string(),
  source: z.enum(DOCUMENT_SOURCES),
  contentType: z.enum(UPLOAD_CONTENT_TYPES),
  filename: z.string().nullable(),
  storagePath: z.string().nullable(),
  /** State of the latest ingest; readers go by `activeGeneration`, not by this. */
  status: z.enum(DOCUMENT_STATUSES),
  error: z.string().nullable(),
  /** Why the latest ingest failed (`error` is its message); absent on records written before codes. */
  failure: z.object({ code: z.enum(DOCUMENT_FAILURE_CODES), message: z.string() }).nullable().optional(),
  sizeBytes: count,
  chunking: z.object({ size: count, overlap: count }),
  activeGeneration: count,
  /** Highest generation claimed by an ingest; only that one may become active. */
  latestGeneration: count,
  chunkCount: count,
  embeddingModel: z.string().nullable(),
  createdBy: z.string(),
  createdAt: timestampField,
  updatedAt: timestampField,
  readyAt: timestampField.nullable(),
});
export type StoredDocument = z.infer<typeof storedDocumentSchema>;

/** What retrieval reads of a document (a field mask of the record). */
export const documentTitleSchema = storedDocumentSchema.pick({ title: true, activeGeneration: true });

export const storedSourcePartSchema = z.object({ generation: count, part: count, text: z.string(), updatedAt: timestampField.optional() });
export type StoredSourcePart = z.infer<typeof storedSourcePartSchema>;

/** A chunk without its vector, which is written beside it as `FieldValue.vector`. */
export const storedChunkSchema = z.object({
  documentId: z.string(),
  generation: count,
  index: count,
  text: z.string(),
  headingPath: z.array(z.string()),
  /** Distinct stemmed terms, for `array-contains-any` candidate lookup. */
  terms: z.array(z.string()),
  createdAt: timestampField,
  /** Moved by every write, so the hourly backup sees the change (optional: records older than the field still read). */
  updatedAt: timestampField.optional(),
});
export type StoredChunk = z.infer<typeof storedChunkSchema>;

/** A chunk as retrieval reads it back: with its vector. */
export const chunkWithVectorSchema = storedChunkSchema.extend({ [EMBEDDING_FIELD]: z.custom<VectorValue>((value) => value instanceof VectorValue, "Must be a vector") });
