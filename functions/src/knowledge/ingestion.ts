import { FieldValue, Timestamp, type Firestore, type Query } from "firebase-admin/firestore";
import { appendEvent } from "../events/outbox";
import type { Clock } from "../lib/clock";
import { isAppError, UnavailableError } from "../lib/errors";
import { queryShape, runQuery, type QueryShape } from "../lib/firestore-queries";
import { readRecord } from "../lib/firestore-records";
import { logger } from "../lib/logging";
import type { LlmProvider } from "../providers/provider-types";
import { chunkMarkdown, contextualText, type Chunk, type ChunkingOptions } from "./chunker";
import {
  chunkId,
  chunksPath,
  documentPath,
  EMBEDDING_FIELD,
  SOURCES,
  sourcePartId,
  storedDocumentSchema,
  type StoredChunk,
} from "./document-model";
import { KNOWLEDGE_LIMITS } from "./knowledge-limits";
import { distinctTerms } from "./lexical";
import { failureOf, type DocumentFailure } from "./document-failures";
import { deleteWithTombstone, MAX_DELETES_PER_BATCH } from "../backups/tombstones";
import type { FieldSealer } from "../secrets/sealed-fields";

/** A document's chunks and source parts, deleted a page at a time (all, one generation, or older ones). */
const CLEANUP_QUERIES = {
  chunks: queryShape({ name: "knowledge.deleteChunks", collectionGroup: "chunks", equality: ["documentId"] }),
  chunksOfGeneration: queryShape({ name: "knowledge.deleteChunksOfGeneration", collectionGroup: "chunks", equality: ["documentId", "generation"] }),
  olderChunks: queryShape({ name: "knowledge.deleteOlderChunks", collectionGroup: "chunks", equality: ["documentId"], range: "generation" }),
  sources: queryShape({ name: "knowledge.deleteSources", collectionGroup: SOURCES }),
  sourcesOfGeneration: queryShape({ name: "knowledge.deleteSourcesOfGeneration", collectionGroup: SOURCES, equality: ["generation"] }),
  olderSources: queryShape({ name: "knowledge.deleteOlderSources", collectionGroup: SOURCES, range: "generation" }),
};

export type IngestionDeps = {
  db: Pick<Firestore, "collection" | "doc" | "batch" | "runTransaction">;
  provider: Pick<LlmProvider, "embed" | "embeddingModel" | "embeddingDimensions">;
  clock: Clock;
  /** Seals the text of pasted documents' source parts (personal data: docs/secrets.md). */
  fields: FieldSealer;
};

export type IngestJob = {
  workspaceId: string;
  documentId: string;
  /** Claimed beforehand by raising the document's `latestGeneration` to it. */
  generation: number;
  text: string;
  chunking: ChunkingOptions;
  /** Chunks already made from `text` (callers chunk first to refuse oversized input early). */
  chunks?: Chunk[];
  /** Keep the text itself so it can be re-chunked later (pasted documents). */
  storeSource: boolean;
};

export type IngestOutcome = { outcome: "ready"; chunkCount: number } | { outcome: "failed"; error: string; failure: DocumentFailure } | { outcome: "superseded" | "deleted" };

const DELETE_PAGE = MAX_DELETES_PER_BATCH;

/**
 * Chunk → embed → store → swap. New chunks are written under a new generation, invisible to
 * readers (retrieval serves each document's `activeGeneration` only); one transaction then makes
 * the generation active if no newer ingest has claimed the document meanwhile; then older
 * generations are deleted. Readers therefore see the old chunks or the new, never a mix or a gap,
 * and a failed ingest leaves nothing visible.
 */
export function createIngestion({ db, provider, clock, fields }: IngestionDeps) {
  const now = () => Timestamp.fromMillis(clock.now());

  async function embedAll(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let i = 0; i < texts.length; i += KNOWLEDGE_LIMITS.embedBatchSize) {
      const batch = texts.slice(i, i + KNOWLEDGE_LIMITS.embedBatchSize);
      const result = await provider.embed({ texts: batch });
      if (result.vectors.length !== batch.length || result.vectors.some((v) => v.length !== provider.embeddingDimensions)) {
        throw new UnavailableError("The embedding provider returned vectors of the wrong shape.");
      }
      vectors.push(...result.vectors);
    }
    return vectors;
  }

  async function deleteAll(query: Query, shape: QueryShape): Promise<number> {
    let deleted = 0;
    for (;;) {
      const page = await runQuery(shape, query.select().limit(DELETE_PAGE));
      if (page.empty) return deleted;
      const batch = db.batch();
      for (const doc of page.docs) deleteWithTombstone(batch, doc.ref, clock);
      await batch.commit();
      deleted += page.size;
    }
  }

  const chunksOf = (workspaceId: string, documentId: string) => db.collection(chunksPath(workspaceId)).where("documentId", "==", documentId);
  const sourcesOf = (workspaceId: string, documentId: string) => db.collection(`${documentPath(workspaceId, documentId)}/${SOURCES}`);

  /** Deletes one generation's chunks and source, or (generation omitted) all of a document's. */
  async function deleteGeneration(workspaceId: string, documentId: string, generation?: number): Promise<void> {
    if (generation === undefined) {
      await deleteAll(chunksOf(workspaceId, documentId), CLEANUP_QUERIES.chunks);
      await deleteAll(sourcesOf(workspaceId, documentId), CLEANUP_QUERIES.sources);
      return;
    }
    await deleteAll(chunksOf(workspaceId, documentId).where("generation", "==", generation), CLEANUP_QUERIES.chunksOfGeneration);
    await deleteAll(sourcesOf(workspaceId, documentId).where("generation", "==", generation), CLEANUP_QUERIES.sourcesOfGeneration);
  }

  /** Deletes generations older than the active one (never a newer one still being written). */
  async function deleteOlderThan(workspaceId: string, documentId: string, active: number): Promise<void> {
    await deleteAll(chunksOf(workspaceId, documentId).where("generation", "<", active), CLEANUP_QUERIES.olderChunks);
    await deleteAll(sourcesOf(workspaceId, documentId).where("generation", "<", active), CLEANUP_QUERIES.olderSources);
  }

  async function writeChunks(job: IngestJob, chunks: Chunk[], vectors: number[][]): Promise<void> {
    const collection = db.collection(chunksPath(job.workspaceId));
    const createdAt = now();
    for (let i = 0; i < chunks.length; i += KNOWLEDGE_LIMITS.writeBatchSize) {
      const batch = db.batch();
      for (const chunk of chunks.slice(i, i + KNOWLEDGE_LIMITS.writeBatchSize)) {
        const stored: StoredChunk = {
          documentId: job.documentId,
          generation: job.generation,
          index: chunk.index,
          text: chunk.text,
          headingPath: chunk.headingPath,
          terms: distinctTerms(contextualText(chunk)),
          createdAt,
          updatedAt: createdAt,
        };
        batch.set(collection.doc(chunkId(job.documentId, job.generation, chunk.index)), {
          ...stored,
          [EMBEDDING_FIELD]: FieldValue.vector(vectors[chunk.index] ?? []),
        });
      }
      await batch.commit();
    }
  }

  async function writeSource(job: IngestJob): Promise<void> {
    const parts = Math.max(1, Math.ceil(job.text.length / KNOWLEDGE_LIMITS.sourcePartChars));
    const batch = db.batch();
    for (let part = 0; part < parts; part++) {
      const text = job.text.slice(part * KNOWLEDGE_LIMITS.sourcePartChars, (part + 1) * KNOWLEDGE_LIMITS.sourcePartChars);
      const ref = sourcesOf(job.workspaceId, job.documentId).doc(sourcePartId(job.generation, part));
      batch.set(ref, await fields.seal(ref.path, { generation: job.generation, part, text, updatedAt: now() }, ["text"]));
    }
    await batch.commit();
  }

  /** Makes `job.generation` active if it is still the latest claim; returns the one it replaced. */
  async function activate(job: IngestJob, chunkCount: number): Promise<{ outcome: "ready"; previous: number } | { outcome: "superseded" | "deleted" }> {
    const ref = db.doc(documentPath(job.workspaceId, job.documentId));
    return db.runTransaction(async (tx) => {
      const doc = readRecord(await tx.get(ref), storedDocumentSchema, { kind: "document" });
      if (!doc) return { outcome: "deleted" as const };
      if (doc.latestGeneration !== job.generation) return { outcome: "superseded" as const };
      const at = now();
      tx.update(ref, {
        activeGeneration: job.generation,
        status: "ready",
        error: null,
        failure: null,
        chunkCount,
        sizeBytes: Buffer.byteLength(job.text, "utf8"),
        chunking: job.chunking,
        embeddingModel: provider.embeddingModel,
        updatedAt: at,
        readyAt: at,
      });
      appendEvent(db, tx, { type: "document.ready", workspaceId: job.workspaceId, subject: `documents/${job.documentId}`, occurredAt: at.toMillis(), data: { documentId: job.documentId, chunkCount } });
      return { outcome: "ready" as const, previous: doc.activeGeneration };
    });
  }

  /** Records the failure on the claimed generation (and, given `expected`, only if the document is still as the sweeper saw it). */
  async function markFailed(job: Pick<IngestJob, "workspaceId" | "documentId" | "generation">, failure: DocumentFailure, expected?: StalledState): Promise<boolean> {
    const ref = db.doc(documentPath(job.workspaceId, job.documentId));
    return db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists || snap.get("latestGeneration") !== job.generation) return false;
      if (expected && (snap.get("status") !== expected.status || !(snap.get("updatedAt") instanceof Timestamp) || (snap.get("updatedAt") as Timestamp).toMillis() >= expected.updatedBefore)) return false;
      const at = now();
      tx.update(ref, { status: "failed", error: failure.message, failure, updatedAt: at });
      appendEvent(db, tx, { type: "document.failed", workspaceId: job.workspaceId, subject: `documents/${job.documentId}`, occurredAt: at.toMillis(), data: { documentId: job.documentId, failureCode: failure.code } });
      return true;
    });
  }

  return {
    deleteGeneration,

    /** Records a failure found before chunking (an unreadable file) on the claimed generation. */
    recordFailure: (job: Pick<IngestJob, "workspaceId" | "documentId" | "generation">, failure: DocumentFailure) => fail(job, failure),

    /**
     * Closes an ingest that stalled (no outcome long after it started): failed with `failure`,
     * the generation's partial chunks removed, but only if the document is still `expected`, so a
     * late ingest that finished meanwhile wins. True when it closed it.
     */
    async failStalled(job: Pick<IngestJob, "workspaceId" | "documentId" | "generation">, failure: DocumentFailure, expected: StalledState): Promise<boolean> {
      if (!(await markFailed(job, failure, expected))) return false;
      logger.warn("knowledge_ingest_stalled", { workspaceId: job.workspaceId, documentId: job.documentId, generation: job.generation, code: failure.code });
      if (job.generation > 0) await deleteGeneration(job.workspaceId, job.documentId, job.generation);
      return true;
    },

    /** Runs one ingest to its end; failures are recorded on the document, not thrown. */
    async ingest(job: IngestJob): Promise<IngestOutcome> {
      const ids = { workspaceId: job.workspaceId, documentId: job.documentId, generation: job.generation };
      try {
        const chunks = job.chunks ?? chunkMarkdown(job.text, job.chunking);
        if (chunks.length === 0) return await fail(job, { code: "no-text", message: "The document contains no text." });
        const vectors = await embedAll(chunks.map(contextualText));
        await writeChunks(job, chunks, vectors);
        if (job.storeSource) await writeSource(job);
        const result = await activate(job, chunks.length);
        if (result.outcome !== "ready") {
          await deleteGeneration(job.workspaceId, job.documentId, job.generation);
          logger.info("knowledge_ingest_discarded", { ...ids, outcome: result.outcome });
          return result;
        }
        if (result.previous > 0) await deleteOlderThan(job.workspaceId, job.documentId, job.generation);
        logger.info("knowledge_ingest_ready", { ...ids, chunkCount: chunks.length });
        return { outcome: "ready", chunkCount: chunks.length };
      } catch (error) {
        if (!isAppError(error)) logger.error("knowledge_ingest_error", { ...ids, errorName: error instanceof Error ? error.name : typeof error, message: error instanceof Error ? error.message : String(error) });
        return fail(job, failureOf(error));
      }
    },
  };

  async function fail(job: Pick<IngestJob, "workspaceId" | "documentId" | "generation">, failure: DocumentFailure): Promise<IngestOutcome> {
    logger.warn("knowledge_ingest_failed", { workspaceId: job.workspaceId, documentId: job.documentId, generation: job.generation, code: failure.code, reason: failure.message });
    await markFailed(job, failure);
    await deleteGeneration(job.workspaceId, job.documentId, job.generation).catch(() => {
      // Leftovers of a failed generation are never served (not active) and go with the next cleanup.
    });
    return { outcome: "failed", error: failure.message, failure };
  }
}

export type Ingestion = ReturnType<typeof createIngestion>;

/** The state a sweeper found a stalled document in: its status, and `updatedAt` before this (epoch ms). */
export type StalledState = { status: "pending" | "processing"; updatedBefore: number };
