import { Timestamp, type Query, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import { runQuery, type QueryShape } from "../lib/firestore-queries";
import type { BackupDeps } from "./backup-deps";
import { BACKUP_QUERIES, incrementalScanShape } from "./backup-queries";
import { createBackupTelemetry } from "./backup-telemetry";
import { BACKUPS, INCREMENTAL_STATE, INCREMENTALS, TOMBSTONES, incrementalState, type IncrementalRecord } from "./backups-records";
import { describeObject, verifyCopy } from "./checksums";
import { encodeValue, type Encoded } from "./value-codec";

/** One line of an hourly file. */
export type ChangeLine = { op: "put"; path: string; at: number; data: Encoded } | { op: "delete"; path: string; at: number };

const PAGE = 500;

/**
 * The hourly job behind the 1-hour RPO: every document of the configured collection groups whose
 * `updatedAt` moved past the watermark, and every tombstone written since, as one NDJSON file in
 * the primary bucket, copied and verified in each region. The last full export plus these files,
 * replayed in order, restore to within an hour.
 */
export function createIncrementalBackups(deps: BackupDeps) {
  const { db, clock, settings } = deps;
  const telemetry = createBackupTelemetry(deps.logger);
  const stateRef = db.doc(INCREMENTAL_STATE);

  async function watermark(): Promise<number> {
    const snap = await stateRef.get();
    if (snap.exists) return incrementalState.parse(snap.data()).watermark;
    // First run: from the newest export, which already holds everything before it.
    const newest = await runQuery(BACKUP_QUERIES.newest, db.collection(BACKUPS).orderBy("startedAt", "desc").limit(1));
    return newest.empty ? 0 : Number(newest.docs[0]!.get("startedAt"));
  }

  async function pages(shape: QueryShape, query: Query, field: string, visit: (doc: QueryDocumentSnapshot) => void): Promise<void> {
    let last: QueryDocumentSnapshot | undefined;
    for (;;) {
      const page = await runQuery(shape, (last ? query.orderBy(field).startAfter(last) : query.orderBy(field)).limit(PAGE));
      page.docs.forEach(visit);
      if (page.size < PAGE) return;
      last = page.docs[page.size - 1];
    }
  }

  async function collect(from: number, to: number): Promise<ChangeLine[]> {
    const lines: ChangeLine[] = [];
    const lo = Timestamp.fromMillis(from);
    const hi = Timestamp.fromMillis(to);
    for (const group of settings.incrementalCollections) {
      const query = db.collectionGroup(group).where("updatedAt", ">", lo).where("updatedAt", "<=", hi);
      await pages(incrementalScanShape(group), query, "updatedAt", (doc) => {
        const at = doc.get("updatedAt");
        lines.push({ op: "put", path: doc.ref.path, at: at instanceof Timestamp ? at.toMillis() : to, data: encodeValue(doc.data()) });
      });
    }
    await pages(BACKUP_QUERIES.tombstones, db.collection(TOMBSTONES).where("deletedAt", ">", lo).where("deletedAt", "<=", hi), "deletedAt", (doc) => {
      lines.push({ op: "delete", path: String(doc.get("path")), at: (doc.get("deletedAt") as Timestamp).toMillis() });
    });
    // Replay applies lines in this order: a document deleted then re-created ends up present.
    return lines.sort((a, b) => a.at - b.at || (a.op === b.op ? 0 : a.op === "delete" ? -1 : 1));
  }

  /** Captures (watermark, now - lag]; a no-op when nothing new is due. */
  async function run(): Promise<IncrementalRecord | null> {
    const started = clock.now();
    const from = await watermark();
    const to = started - settings.incrementalLagMs;
    if (to <= from) return null;
    try {
      const lines = await collect(from, to);
      const body = lines.map((l) => JSON.stringify(l)).join("\n") + (lines.length ? "\n" : "");
      const iso = (ms: number) => new Date(ms).toISOString().replace(/[:.]/g, "");
      const id = `inc-${iso(to)}`;
      const name = `incremental/${new Date(to).toISOString().slice(0, 10)}/${iso(from)}_${iso(to)}.ndjson`;
      const source = deps.bucket(settings.primaryBucket).file(name);
      await source.save(body, { contentType: "application/x-ndjson", resumable: false });
      const object = await describeObject(source);
      if (!object) throw new Error(`${name} vanished after upload`);
      const regions: IncrementalRecord["regions"] = {};
      for (const region of settings.regions) {
        const target = deps.bucket(region.bucket).file(name);
        let verdict = await verifyCopy(object, target);
        for (let attempt = 1; !verdict.ok && attempt <= settings.maxCopyAttempts; attempt++) {
          await source.copy(target);
          verdict = await verifyCopy(object, target);
        }
        regions[region.region] = verdict.ok ? "verified" : "failed";
        if (!verdict.ok) telemetry.alert("copy-failed", { incrementalId: id, region: region.region, object: name, cause: verdict.reason });
      }
      const record: IncrementalRecord = { id, from, to, capturedAt: clock.now(), object, bucket: settings.primaryBucket, regions, puts: lines.filter((l) => l.op === "put").length, deletes: lines.filter((l) => l.op === "delete").length };
      const batch = db.batch();
      batch.set(db.collection(INCREMENTALS).doc(id), record);
      batch.set(stateRef, { watermark: to });
      await batch.commit();
      telemetry.metric({ metric: "backup_incremental", outcome: "success", puts: record.puts, deletes: record.deletes, bytes: object.size, durationMs: clock.now() - started });
      return record;
    } catch (error) {
      telemetry.metric({ metric: "backup_incremental", outcome: "failure", puts: 0, deletes: 0, bytes: 0, durationMs: clock.now() - started });
      telemetry.alert("incremental-failed", { error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  return { run, collect };
}
