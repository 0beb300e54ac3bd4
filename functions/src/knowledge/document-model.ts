import type { ChunkingOptions } from "./chunker";
import type { DocumentFailure } from "./document-failures";
import type { DocumentContentType } from "./document-schemas";
import type { DocumentSource, DocumentStatus, StoredDocument } from "./knowledge-records";

/** The knowledge base's Firestore layout lives in `knowledge-records.ts`; re-exported for its existing importers. */
export {
  CHUNKS,
  chunkId,
  chunksPath,
  DOCUMENTS,
  documentPath,
  documentsPath,
  EMBEDDING_FIELD,
  SOURCES,
  sourcePartId,
  storedDocumentSchema,
  type DocumentSource,
  type DocumentStatus,
  type StoredChunk,
  type StoredDocument,
} from "./knowledge-records";

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
  /** Why the latest ingest failed, with a stable code; null unless `status` is `failed`. */
  failure: DocumentFailure | null;
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
    failure: data.status === "failed" ? (data.failure ?? null) : null,
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
