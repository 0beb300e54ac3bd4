import { FieldPath, Timestamp, type Firestore } from "firebase-admin/firestore";
import type { AccessControl } from "../identity/access-control";
import { actorUid, type Principal } from "../identity/principal";
import type { Clock } from "../lib/clock";
import { FailedPreconditionError, isAppError, NotFoundError, ValidationError } from "../lib/errors";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { parseRecord, readRecord, requireRecord } from "../lib/firestore-records";
import { logger } from "../lib/logging";
import { decodeCursor, encodeCursor, type Page } from "../lib/pagination";
import type { LlmProvider } from "../providers/provider-types";
import { chunkMarkdown, DEFAULT_CHUNKING, validateChunking, type ChunkingOptions } from "./chunker";
import { failureOf, type DocumentFailure } from "./document-failures";
import { assertFileSize, assertTextSize, extractText, FileTooLargeError, parseUploadPath, UPLOAD_LENGTH_RANGE, uploadPath, type DocumentBucket, type PdfTextExtractor } from "./document-files";
import { toDocumentView, type DocumentView } from "./document-model";
import { type ChunkingInput, type CreateDocumentInput, type CreateUploadInput, type DocumentContentType, type ReingestInput } from "./document-schemas";
import { createIngestion } from "./ingestion";
import { createIngestionSweeper } from "./ingestion-sweeper";
import type { RetrieveRequest } from "./knowledge-types";
import { KNOWLEDGE_LIMITS } from "./knowledge-limits";
import { DOCUMENTS, documentPath, documentsPath, SOURCES, sourcesPath, storedDocumentSchema, storedSourcePartSchema, type StoredDocument } from "./knowledge-records";
import { createRetriever, type SearchHit } from "./retrieval";
import { deleteWithTombstone } from "../backups/tombstones";
import type { FieldSealer } from "../secrets/sealed-fields";

const DOCUMENT_QUERIES = {
  list: queryShape({ name: "knowledge.listDocuments", collectionGroup: DOCUMENTS, orderBy: [["createdAt", "desc"], ["__name__", "desc"]] }),
  count: queryShape({ name: "knowledge.countDocuments", collectionGroup: DOCUMENTS }),
  sourceParts: queryShape({ name: "knowledge.readSource", collectionGroup: SOURCES, equality: ["generation"] }),
};

export type KnowledgeServiceDeps = {
  db: Pick<Firestore, "collection" | "collectionGroup" | "doc" | "batch" | "runTransaction" | "getAll">;
  clock: Clock;
  access: Pick<AccessControl, "require">;
  provider: Pick<LlmProvider, "embed" | "embeddingModel" | "embeddingDimensions">;
  /** Where uploaded files live; lazily resolved so text-only use never builds a Storage client. */
  bucket: () => DocumentBucket;
  /** Sign upload URLs (real Storage only; the emulator has no credentials to sign with). */
  signUploads: boolean;
  pdf?: PdfTextExtractor;
  /** Seals pasted documents' source text at write, opens it for re-chunking (docs/secrets.md). */
  fields: FieldSealer;
};

export type UploadTicket = {
  document: DocumentView;
  storagePath: string;
  /** PUT the file here with the same Content-Type; null where uploads cannot be signed (emulator). */
  uploadUrl: string | null;
  uploadUrlExpiresAt: string | null;
  /** Headers the PUT must carry exactly: the signed content type and the size range Storage enforces. */
  uploadHeaders: Record<string, string> | null;
  contentType: DocumentContentType;
};

/** What the storage trigger passes in: the finalized object's name and metadata. */
export type FinalizedObject = { name: string; size: number; contentType?: string };

const DOCUMENT = { kind: "document" };

export function createKnowledgeService(deps: KnowledgeServiceDeps) {
  const { db, clock, access } = deps;
  const ingestion = createIngestion(deps);
  const stalled = createIngestionSweeper({ db, clock, ingestion });
  const retriever = createRetriever(deps);
  const now = () => Timestamp.fromMillis(clock.now());

  const chunkingFrom = (input: ChunkingInput | undefined, base: ChunkingOptions = DEFAULT_CHUNKING): ChunkingOptions => {
    const chunking = { size: input?.size ?? base.size, overlap: input?.overlap ?? Math.min(base.overlap, Math.floor(((input?.size ?? base.size) - 1) / 2)) };
    validateChunking(chunking);
    return chunking;
  };

  async function load(workspaceId: string, documentId: string): Promise<StoredDocument> {
    const doc = readRecord(await db.doc(documentPath(workspaceId, documentId)).get(), storedDocumentSchema, DOCUMENT);
    if (!doc) throw new NotFoundError("Document not found.");
    return doc;
  }

  async function view(workspaceId: string, documentId: string): Promise<DocumentView> {
    return toDocumentView(workspaceId, documentId, await load(workspaceId, documentId));
  }

  /** What differs between a pasted and an uploaded document; the rest starts the same. */
  type NewDocument = Pick<StoredDocument, "title" | "source" | "contentType" | "filename" | "storagePath" | "status" | "sizeBytes" | "chunking" | "latestGeneration">;

  /** Creates the record in one transaction that also enforces the per-workspace document limit. */
  async function createRecord(principal: Principal, workspaceId: string, documentId: string, fields: NewDocument): Promise<void> {
    const at = now();
    const record: StoredDocument = {
      ...fields,
      error: null,
      activeGeneration: 0,
      chunkCount: 0,
      embeddingModel: null,
      createdBy: actorUid(principal),
      createdAt: at,
      updatedAt: at,
      readyAt: null,
    };
    const ref = db.doc(documentPath(workspaceId, documentId));
    await db.runTransaction(async (tx) => {
      const count = await runQuery(DOCUMENT_QUERIES.count, { get: () => tx.get(db.collection(documentsPath(workspaceId)).count()) });
      if (count.data().count >= KNOWLEDGE_LIMITS.maxDocumentsPerWorkspace) {
        throw new FailedPreconditionError(`A workspace may hold at most ${KNOWLEDGE_LIMITS.maxDocumentsPerWorkspace} documents; delete some first.`);
      }
      tx.create(ref, record);
    });
  }

  /** Raises `latestGeneration` so this ingest (and no earlier one) may become active. */
  async function claimGeneration(workspaceId: string, documentId: string, expect: (doc: StoredDocument) => void): Promise<{ generation: number; doc: StoredDocument }> {
    const ref = db.doc(documentPath(workspaceId, documentId));
    return db.runTransaction(async (tx) => {
      const doc = readRecord(await tx.get(ref), storedDocumentSchema, DOCUMENT);
      if (!doc) throw new NotFoundError("Document not found.");
      expect(doc);
      const generation = doc.latestGeneration + 1;
      tx.update(ref, { latestGeneration: generation, status: "processing", error: null, failure: null, updatedAt: now() });
      return { generation, doc };
    });
  }

  async function readSource(workspaceId: string, documentId: string, generation: number): Promise<string | null> {
    const parts = await runQuery(DOCUMENT_QUERIES.sourceParts, db.collection(sourcesPath(workspaceId, documentId)).where("generation", "==", generation));
    if (parts.empty) return null;
    const opened = await Promise.all(parts.docs.map(async (d) => parseRecord(d.ref.path, await deps.fields.open(d.ref.path, d.data()), storedSourcePartSchema, { kind: "document source part" })));
    return opened
      .sort((a, b) => a.part - b.part)
      .map((p) => p.text)
      .join("");
  }

  /**
   * The text of a document's file. The size comes first, from the event (`knownSize`) or the
   * object's metadata, so an oversized object is refused without being downloaded.
   */
  async function readFile(doc: StoredDocument, knownSize?: number): Promise<string> {
    if (!doc.storagePath) throw new FailedPreconditionError("The document has no file.");
    const file = deps.bucket().file(doc.storagePath);
    const size = knownSize ?? Number((await file.getMetadata())[0].size ?? 0);
    assertFileSize(size);
    const [data] = await file.download();
    return extractText(data, doc.contentType, deps.pdf);
  }

  /**
   * Records why a file could not be read. A file refused for its size is deleted (not kept under
   * a quarantine prefix): nothing can be done with it, and it would otherwise sit in the bucket.
   */
  async function refuseFile(workspaceId: string, documentId: string, generation: number, storagePath: string | null, error: unknown): Promise<void> {
    const failure: DocumentFailure = failureOf(error, UNREADABLE_FILE);
    if (failure.code === "internal" && !isAppError(error)) logger.error("knowledge_file_read_error", { workspaceId, documentId, errorName: error instanceof Error ? error.name : typeof error });
    await ingestion.recordFailure({ workspaceId, documentId, generation }, failure);
    if (error instanceof FileTooLargeError && storagePath) {
      await deps
        .bucket()
        .file(storagePath)
        .delete({ ignoreNotFound: true })
        .catch((deleteError: unknown) => logger.warn("knowledge_file_delete_failed", { workspaceId, documentId, errorName: deleteError instanceof Error ? deleteError.name : "unknown" }));
    }
  }

  return {
    /** The `sweepStalledIngests` cron: closes ingests that will never finish (ingestion-sweeper.ts). */
    sweepStalledIngests: () => stalled.sweep(),

    /** Creates a document from text and ingests it before answering (status ready or failed). */
    async createDocument(principal: Principal, workspaceId: string, input: CreateDocumentInput): Promise<DocumentView> {
      await access.require(principal, workspaceId, "documents:write");
      assertTextSize(input.text);
      const chunking = chunkingFrom(input.chunking);
      const chunks = chunkMarkdown(input.text, chunking);
      if (chunks.length === 0) throw new ValidationError("Invalid text: the document contains no text.", [{ path: "text", message: "Must contain text" }]);

      const documentId = db.collection(documentsPath(workspaceId)).doc().id;
      await createRecord(principal, workspaceId, documentId, {
        title: input.title,
        source: "text",
        contentType: input.contentType ?? "text/markdown",
        filename: null,
        storagePath: null,
        status: "processing",
        sizeBytes: Buffer.byteLength(input.text, "utf8"),
        chunking,
        latestGeneration: 1,
      });
      await ingestion.ingest({ workspaceId, documentId, generation: 1, text: input.text, chunking, chunks, storeSource: true });
      return view(workspaceId, documentId);
    },

    /**
     * Creates a `pending` document for a file the client uploads next, straight to Cloud Storage;
     * the storage trigger ingests it when the upload finalizes.
     */
    async createDocumentUpload(principal: Principal, workspaceId: string, input: CreateUploadInput): Promise<UploadTicket> {
      await access.require(principal, workspaceId, "documents:write");
      const chunking = chunkingFrom(input.chunking);
      if (input.contentType === "application/pdf" && !deps.pdf) throw new ValidationError("Invalid contentType: PDF is not supported.", [{ path: "contentType", message: "PDF is not supported" }]);
      const documentId = db.collection(documentsPath(workspaceId)).doc().id;
      const storagePath = uploadPath(workspaceId, documentId, input.filename);
      await createRecord(principal, workspaceId, documentId, {
        title: input.title,
        source: "upload",
        contentType: input.contentType,
        filename: input.filename,
        storagePath,
        status: "pending",
        sizeBytes: 0,
        chunking,
        latestGeneration: 0,
      });
      let uploadUrl: string | null = null;
      let uploadUrlExpiresAt: string | null = null;
      if (deps.signUploads) {
        const expires = clock.now() + KNOWLEDGE_LIMITS.uploadUrlTtlMs;
        // Storage itself refuses a larger body: the client must send this header with its PUT.
        [uploadUrl] = await deps.bucket().file(storagePath).getSignedUrl({ version: "v4", action: "write", expires, contentType: input.contentType, extensionHeaders: { "x-goog-content-length-range": UPLOAD_LENGTH_RANGE } });
        uploadUrlExpiresAt = new Date(expires).toISOString();
      }
      const uploadHeaders = uploadUrl ? { "Content-Type": input.contentType, "x-goog-content-length-range": UPLOAD_LENGTH_RANGE } : null;
      return { document: await view(workspaceId, documentId), storagePath, uploadUrl, uploadUrlExpiresAt, uploadHeaders, contentType: input.contentType };
    },

    async getDocument(principal: Principal, workspaceId: string, documentId: string): Promise<DocumentView> {
      await access.require(principal, workspaceId, "documents:read");
      return view(workspaceId, documentId);
    },

    /** Newest first, a page at a time. */
    async listDocuments(principal: Principal, workspaceId: string, pageSize = 50, cursor?: string): Promise<Page<DocumentView>> {
      await access.require(principal, workspaceId, "documents:read");
      let query = db.collection(documentsPath(workspaceId)).orderBy("createdAt", "desc").orderBy(FieldPath.documentId(), "desc").limit(pageSize);
      if (cursor) {
        const [millis, id] = decodeCursor(cursor, 2);
        if (typeof millis !== "number" || typeof id !== "string") throw new ValidationError("Invalid cursor.", [{ path: "cursor", message: "Invalid cursor" }]);
        query = query.startAfter(Timestamp.fromMillis(millis), id);
      }
      const snap = await runQuery(DOCUMENT_QUERIES.list, query);
      const docs = snap.docs.map((d) => ({ id: d.id, data: requireRecord(d, storedDocumentSchema, DOCUMENT) }));
      const items = docs.map(({ id, data }) => toDocumentView(workspaceId, id, data));
      const last = docs[docs.length - 1];
      return { items, nextCursor: snap.size === pageSize && last ? encodeCursor([last.data.createdAt.toMillis(), last.id]) : null };
    },

    /**
     * Re-chunks and re-embeds a document: from new text (pasted documents), from its stored text,
     * or from its file. The previous chunks keep serving until the new ones replace them at once.
     */
    async reingestDocument(principal: Principal, workspaceId: string, documentId: string, input: ReingestInput): Promise<DocumentView> {
      await access.require(principal, workspaceId, "documents:write");
      const current = await load(workspaceId, documentId);
      const chunking = chunkingFrom(input.chunking, current.chunking);
      if (input.text !== undefined && current.source !== "text") {
        throw new ValidationError("Invalid text: an uploaded document is re-read from its file; upload a new document to change it.", [{ path: "text", message: "Not allowed for uploaded documents" }]);
      }
      if (current.status === "pending") throw new FailedPreconditionError("The document's file has not been uploaded yet.");

      let text: string | null = null;
      if (input.text !== undefined) {
        assertTextSize(input.text);
        text = input.text;
      } else if (current.source === "text") {
        text = current.activeGeneration > 0 ? await readSource(workspaceId, documentId, current.activeGeneration) : null;
        if (text === null) throw new FailedPreconditionError("The document has no stored text; reingest it with `text`.");
      }
      const chunks = text !== null ? chunkMarkdown(text, chunking) : undefined;
      if (chunks && chunks.length === 0) throw new ValidationError("Invalid text: the document contains no text.", [{ path: "text", message: "Must contain text" }]);

      const { generation, doc } = await claimGeneration(workspaceId, documentId, (doc) => {
        if (doc.status === "pending") throw new FailedPreconditionError("The document's file has not been uploaded yet.");
      });
      if (text === null) {
        try {
          text = await readFile(doc);
        } catch (error) {
          await refuseFile(workspaceId, documentId, generation, doc.storagePath, error);
          return view(workspaceId, documentId);
        }
      }
      await ingestion.ingest({ workspaceId, documentId, generation, text, chunking, ...(chunks ? { chunks } : {}), storeSource: doc.source === "text" });
      return view(workspaceId, documentId);
    },

    /** Deletes the record first (its chunks stop being served at once), then chunks, text and file. */
    async deleteDocument(principal: Principal, workspaceId: string, documentId: string): Promise<void> {
      await access.require(principal, workspaceId, "documents:write");
      const ref = db.doc(documentPath(workspaceId, documentId));
      const doc = await db.runTransaction(async (tx) => {
        const doc = readRecord(await tx.get(ref), storedDocumentSchema, DOCUMENT);
        if (!doc) throw new NotFoundError("Document not found.");
        deleteWithTombstone(tx, ref, clock);
        return doc;
      });
      await ingestion.deleteGeneration(workspaceId, documentId);
      if (doc.storagePath) {
        await deps
          .bucket()
          .file(doc.storagePath)
          .delete({ ignoreNotFound: true })
          .catch((error: unknown) => logger.warn("knowledge_file_delete_failed", { workspaceId, documentId, errorName: error instanceof Error ? error.name : "unknown" }));
      }
    },

    /**
     * The ranked passages of the workspace's documents for a query, with citations. Executions
     * call this; the search endpoints too. Validates the request itself, as it is a contract.
     */
    async retrieve(principal: Principal, workspaceId: string, request: RetrieveRequest): Promise<SearchHit[]> {
      await access.require(principal, workspaceId, "documents:read");
      return retriever.retrieve(workspaceId, request);
    },

    /**
     * Ingests a file that finished uploading under `workspaces/{w}/documents/{d}/{filename}`.
     * Idempotent: only a `pending` document whose storage path is this object is claimed, so a
     * redelivered event does nothing. Files for deleted documents are removed.
     */
    async ingestUploadedObject(object: FinalizedObject): Promise<"ingested" | "ignored"> {
      const target = parseUploadPath(object.name);
      if (!target) return "ignored";
      const { workspaceId, documentId } = target;
      const ref = db.doc(documentPath(workspaceId, documentId));
      const claim = await db.runTransaction(async (tx) => {
        const doc = readRecord(await tx.get(ref), storedDocumentSchema, DOCUMENT);
        if (!doc) return { reason: "missing" as const };
        if (doc.source !== "upload" || doc.storagePath !== object.name) return { reason: "not-this-file" as const };
        if (doc.status !== "pending") return { reason: "already-claimed" as const };
        const generation = doc.latestGeneration + 1;
        tx.update(ref, { latestGeneration: generation, status: "processing", updatedAt: now() });
        return { generation, doc };
      });
      if ("reason" in claim) {
        logger.info("knowledge_upload_ignored", { workspaceId, documentId, reason: claim.reason });
        if (claim.reason === "missing") await deps.bucket().file(object.name).delete({ ignoreNotFound: true });
        return "ignored";
      }
      const { generation, doc } = claim;
      let text: string;
      try {
        text = await readFile(doc, object.size);
      } catch (error) {
        await refuseFile(workspaceId, documentId, generation, doc.storagePath, error);
        return "ingested";
      }
      await ingestion.ingest({ workspaceId, documentId, generation, text, chunking: doc.chunking, storeSource: false });
      return "ingested";
    },
  };
}

export type KnowledgeService = ReturnType<typeof createKnowledgeService>;

/** What a file read that failed for another reason than the file (a Storage outage) says. */
const UNREADABLE_FILE = "The file could not be read. Reingest the document to try again.";
