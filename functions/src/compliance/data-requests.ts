import { once } from "node:events";
import type { Writable } from "node:stream";
import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { encodeValue } from "../backups/value-codec";
import type { Clock } from "../lib/clock";
import { NotFoundError } from "../lib/errors";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { readRecord } from "../lib/firestore-records";
import { logger as defaultLogger, type Logger } from "../lib/logging";
import { EventInProgressError } from "../lib/workers";
import { DATA_REQUESTS, ERASURE_LEDGER, storedDataRequestSchema, type DataRequestKind, type Receipt, type StoredDataRequest } from "./compliance-records";
import { exportPrefix, type ExportLine, type SubjectData } from "./subject-data";

/**
 * Data subject requests. A request is a Firestore document first (`dataRequests/{id}`, status
 * `queued`), so nothing is lost on a redeploy: its creation triggers the worker, and a cron
 * sweeper takes any request still queued (or whose worker died) a few minutes later. The
 * finished request is the receipt: what was found, what was done, when; counts and ids only,
 * kept after the data is gone. An erasure also writes its ledger entry, in the same batch.
 */
export const DSR_DEADLINE_DAYS = 30;
/** A worker holds a request this long; one that died frees it after. */
export const DSR_LEASE_MS = 9 * 60_000;
/** Attempts before a request is marked `failed` for an operator (it stays in the report as open). @default 5 */
export const DSR_MAX_ATTEMPTS = 5;
/** Signed download links of an export last this long. @default 15 min */
export const EXPORT_URL_TTL_MS = 15 * 60_000;
/** Export archives are kept this long (a lifecycle rule on `compliance/exports/` deletes them after). @default 7 days */
export const EXPORT_KEEP_MS = 7 * 86_400_000;

const QUEUED = queryShape({ name: "compliance.requestsByStatus", collectionGroup: DATA_REQUESTS, equality: ["status"] });

export type ExportFile = { createWriteStream(options: { resumable: boolean; contentType: string }): Writable; getSignedUrl(config: { version: "v4"; action: "read"; expires: number }): Promise<[string]> };
export type ExportBucket = { name: string; file(name: string): ExportFile };

export type DataRequestView = {
  id: string;
  kind: DataRequestKind;
  status: StoredDataRequest["status"];
  source: StoredDataRequest["source"];
  requestedAt: string;
  dueAt: string;
  completedAt: string | null;
  receipt: Receipt | null;
  /** A short-lived signed link to the export archive (completed exports, while the archive is kept). */
  downloadUrl: string | null;
  downloadUrlExpiresAt: string | null;
  error: string | null;
};

export type DataRequestDeps = {
  db: Firestore;
  clock: Clock;
  subjects: SubjectData;
  bucket: (() => ExportBucket) | null;
  /** Sign download URLs (false where no signing key exists). */
  signUrls: boolean;
  newId?: () => string;
  logger?: Logger;
};

export function createDataRequests(deps: DataRequestDeps) {
  const { db, clock } = deps;
  const log = deps.logger ?? defaultLogger;
  const collection = () => db.collection(DATA_REQUESTS);
  const archiveName = (uid: string, requestId: string) => `${exportPrefix(uid)}${requestId}.jsonl`;

  async function view(id: string, stored: StoredDataRequest): Promise<DataRequestView> {
    let downloadUrl: string | null = null;
    let downloadUrlExpiresAt: string | null = null;
    const archive = stored.receipt?.archive;
    if (archive && deps.bucket && deps.signUrls && stored.completedAt && clock.now() - stored.completedAt.toMillis() < EXPORT_KEEP_MS) {
      const expires = clock.now() + EXPORT_URL_TTL_MS;
      [downloadUrl] = await deps.bucket().file(archive.object).getSignedUrl({ version: "v4", action: "read", expires });
      downloadUrlExpiresAt = new Date(expires).toISOString();
    }
    return {
      id,
      kind: stored.kind,
      status: stored.status,
      source: stored.source,
      requestedAt: stored.requestedAt.toDate().toISOString(),
      dueAt: stored.dueAt.toDate().toISOString(),
      completedAt: stored.completedAt?.toDate().toISOString() ?? null,
      receipt: stored.receipt,
      downloadUrl,
      downloadUrlExpiresAt,
      error: stored.error,
    };
  }

  /** Queues a request. `id` makes it idempotent (an Auth deletion queues one erasure however often it fires). */
  async function submit(kind: DataRequestKind, subjectUid: string, source: StoredDataRequest["source"], id?: string): Promise<DataRequestView> {
    const ref = id ? collection().doc(id) : deps.newId ? collection().doc(deps.newId()) : collection().doc();
    const now = Timestamp.fromMillis(clock.now());
    const stored: StoredDataRequest = {
      kind,
      subjectUid,
      source,
      status: "queued",
      requestedAt: now,
      dueAt: Timestamp.fromMillis(now.toMillis() + DSR_DEADLINE_DAYS * 86_400_000),
      startedAt: null,
      completedAt: null,
      attempts: 0,
      leaseUntil: null,
      receipt: null,
      error: null,
      updatedAt: now,
    };
    const created = await db.runTransaction(async (tx) => {
      const existing = readRecord(await tx.get(ref), storedDataRequestSchema, { kind: "data request" });
      if (existing) return existing;
      tx.create(ref, stored);
      return stored;
    });
    log.info("data_request_queued", { requestId: ref.id, kind, source });
    return view(ref.id, created);
  }

  async function writeArchive(uid: string, requestId: string): Promise<{ exported: number; counts: Record<string, number>; archive: NonNullable<Receipt["archive"]> }> {
    if (!deps.bucket) throw new Error("Exports need a bucket");
    const object = archiveName(uid, requestId);
    const stream = deps.bucket().file(object).createWriteStream({ resumable: false, contentType: "application/x-ndjson" });
    const finished = new Promise<void>((resolve, reject) => {
      stream.on("finish", resolve);
      stream.on("error", reject);
    });
    let bytes = 0;
    let lines = 0;
    const write = async (line: ExportLine) => {
      const text = `${JSON.stringify(line.type === "firestore" ? { ...line, data: encodeValue(line.data) } : line)}\n`;
      bytes += Buffer.byteLength(text);
      lines++;
      if (!stream.write(text)) await once(stream, "drain");
    };
    await write({ type: "firestore", path: `${DATA_REQUESTS}/${requestId}`, rule: "membership", data: { exportOf: uid, format: "rag-prompt-library/subject-export@1", generatedAt: new Date(clock.now()).toISOString() } });
    const counts = await deps.subjects.exportTo(uid, write);
    stream.end();
    await finished;
    return { exported: lines - 1, counts, archive: { bucket: deps.bucket().name, object, bytes, lines } };
  }

  /** Runs one request to its end (the worker and the sweeper call this). Retryable failures are rethrown. */
  async function process(requestId: string): Promise<"completed" | "skipped"> {
    const ref = collection().doc(requestId);
    const now = clock.now();
    const request = await db.runTransaction(async (tx) => {
      const stored = readRecord(await tx.get(ref), storedDataRequestSchema, { kind: "data request" });
      if (!stored || stored.status === "completed" || stored.status === "failed") return null;
      if (stored.status === "running" && (stored.leaseUntil?.toMillis() ?? 0) > now) throw new EventInProgressError(requestId);
      tx.update(ref, { status: "running", attempts: stored.attempts + 1, leaseUntil: Timestamp.fromMillis(now + DSR_LEASE_MS), startedAt: stored.startedAt ?? Timestamp.fromMillis(now), updatedAt: Timestamp.fromMillis(now) });
      return stored;
    });
    if (!request) return "skipped";
    const uid = request.subjectUid;
    try {
      const at = Timestamp.fromMillis(clock.now());
      const batch = db.batch();
      let receipt: Receipt;
      if (request.kind === "export") {
        const { exported, counts, archive } = await writeArchive(uid, requestId);
        const { storage = 0, redis = 0, auth = 0, ...firestore } = counts;
        receipt = {
          found: { firestore, storageObjects: storage, redisKeys: redis, authAccount: auth > 0 },
          done: { exported, deleted: 0, anonymised: 0, storageObjectsDeleted: 0, redisKeysDeleted: 0, authAccountDeleted: false, workspacesDeleted: [], workspacesTransferred: [] },
          archive,
        };
      } else {
        const erased = await deps.subjects.erase(uid);
        const { storage = 0, redis = 0, ...firestore } = erased.found;
        receipt = {
          found: { firestore, storageObjects: storage, redisKeys: redis, authAccount: erased.authAccountDeleted },
          done: {
            exported: 0,
            deleted: erased.deleted,
            anonymised: erased.anonymised,
            storageObjectsDeleted: erased.storageObjectsDeleted,
            redisKeysDeleted: erased.redisKeysDeleted,
            authAccountDeleted: erased.authAccountDeleted,
            workspacesDeleted: erased.workspacesDeleted,
            workspacesTransferred: erased.workspacesTransferred,
          },
          archive: null,
        };
        batch.set(db.collection(ERASURE_LEDGER).doc(uid), { subjectUid: uid, requestId, erasedAt: at, updatedAt: at });
      }
      batch.update(ref, { status: "completed", completedAt: at, leaseUntil: null, receipt, error: null, updatedAt: at });
      await batch.commit();
      log.info("data_request_completed", { requestId, kind: request.kind, ms: at.toMillis() - request.requestedAt.toMillis() });
      return "completed";
    } catch (error) {
      const failed = request.attempts + 1 >= DSR_MAX_ATTEMPTS;
      if (failed) log.error("data_request_gave_up", { requestId, kind: request.kind, attempts: request.attempts + 1 });
      await ref.update({ status: failed ? "failed" : "queued", leaseUntil: null, error: error instanceof Error ? error.name : "Error", updatedAt: Timestamp.fromMillis(clock.now()) });
      log.warn("data_request_failed", { requestId, kind: request.kind, attempt: request.attempts + 1, error: error instanceof Error ? error.name : "Error" });
      throw error;
    }
  }

  return {
    submit,
    process,

    /** A request, for its subject only (anyone else: not found). */
    async get(uid: string, requestId: string): Promise<DataRequestView> {
      const stored = readRecord(await collection().doc(requestId).get(), storedDataRequestSchema, { kind: "data request" });
      if (!stored || stored.subjectUid !== uid) throw new NotFoundError("Data request not found.");
      return view(requestId, stored);
    },

    /** Cron: requests still queued (a lost trigger, a failed attempt) or whose worker died. */
    async sweep(limit = 20): Promise<number> {
      const now = clock.now();
      let processed = 0;
      for (const status of ["queued", "running"] as const) {
        const snap = await runQuery(QUEUED, collection().where("status", "==", status).limit(limit));
        for (const doc of snap.docs) {
          const lease = doc.get("leaseUntil") as Timestamp | null;
          if (status === "running" && lease && lease.toMillis() > now) continue;
          try {
            if ((await process(doc.id)) === "completed") processed++;
          } catch (error) {
            if (!(error instanceof EventInProgressError)) log.warn("data_request_sweep_failed", { requestId: doc.id, error: error instanceof Error ? error.name : "Error" });
          }
        }
      }
      return processed;
    },
  };
}

export type DataRequests = ReturnType<typeof createDataRequests>;
