import type { Timestamp } from "firebase-admin/firestore";
import type { ChunkingOptions } from "./chunker";
import type { DocumentContentType } from "./document-schemas";

/**
 * Firestore layout of the knowledge base:
 * - `workspaces/{w}/documents/{d}`: the document record (`StoredDocument`).
 * - `workspaces/{w}/documents/{d}/sources/g{generation}-p{part}`: the text of a pasted document,
 *   in parts under 1 MiB, kept so it can be re-chunked.
 * - `workspaces/{w}/chunks/{d}-g{generation}-{index}`: one chunk with its vector (`StoredChunk`).
 * A document serves the chunks of its `activeGeneration` only; 0 means none yet.
 */
export type DocumentStatus = "pending" | "processing" | "ready" | "failed";
export type DocumentSource = "text" | "upload";

export type StoredDocument = {
  title: string;
  source: DocumentSource;
  contentType: DocumentContentType;
  filename: string | null;
  storagePath: string | null;
  /** State of the latest ingest; readers go by `activeGeneration`, not by this. */
  status: DocumentStatus;
  error: string | null;
  sizeBytes: number;
  chunking: ChunkingOptions;
  activeGeneration: number;
  /** Highest generation claimed by an ingest; only that one may become active. */
  latestGeneration: number;
  chunkCount: number;
  embeddingModel: string | null;
  createdBy: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  readyAt: Timestamp | null;
};

export type StoredChunk = {
  documentId: string;
  generation: number;
  index: number;
  text: string;
  headingPath: string[];
  /** Distinct stemmed terms, for `array-contains-any` candidate lookup. */
  terms: string[];
  createdAt: Timestamp;
};

export const DOCUMENTS = "documents";
export const CHUNKS = "chunks";
export const SOURCES = "sources";
export const EMBEDDING_FIELD = "embedding";

export const documentsPath = (workspaceId: string) => `workspaces/${workspaceId}/${DOCUMENTS}`;
export const documentPath = (workspaceId: string, documentId: string) => `${documentsPath(workspaceId)}/${documentId}`;
export const chunksPath = (workspaceId: string) => `workspaces/${workspaceId}/${CHUNKS}`;
export const chunkId = (documentId: string, generation: number, index: number) => `${documentId}-g${generation}-${index}`;
export const sourcePartId = (generation: number, part: number) => `g${generation}-p${part}`;

/** What clients see of a document. */
export type DocumentView = {
  id: string;
  workspaceId: string;
  title: string;
  source: DocumentSource;
  contentType: DocumentContentType;
  filename: string | null;
  status: DocumentStatus;
  error: string | null;
  sizeBytes: number;
  chunking: ChunkingOptions;
  chunkCount: number;
  activeGeneration: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  readyAt: string | null;
};

export function toDocumentView(workspaceId: string, id: string, data: StoredDocument): DocumentView {
  return {
    id,
    workspaceId,
    title: data.title,
    source: data.source,
    contentType: data.contentType,
    filename: data.filename,
    status: data.status,
    error: data.error,
    sizeBytes: data.sizeBytes,
    chunking: data.chunking,
    chunkCount: data.chunkCount,
    activeGeneration: data.activeGeneration,
    createdBy: data.createdBy,
    createdAt: data.createdAt.toDate().toISOString(),
    updatedAt: data.updatedAt.toDate().toISOString(),
    readyAt: data.readyAt ? data.readyAt.toDate().toISOString() : null,
  };
}
