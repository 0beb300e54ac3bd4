import { createHash } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";
import { runQuery } from "../lib/firestore-queries";
import type { BackupDeps } from "./backup-deps";
import { BACKUP_QUERIES } from "./backup-queries";
import type { BackupRestore } from "./backup-restore";
import { createBackupTelemetry } from "./backup-telemetry";
import { BACKUPS, DRILLS, INCREMENTALS, INCREMENTAL_STATE, TOMBSTONES, backupManifest, type DrillRecord } from "./backups-records";
import { encodeValue } from "./value-codec";

/** Bookkeeping that keeps changing after the export (the drill itself writes there): not compared. */
const NOT_COMPARED = new Set([BACKUPS, INCREMENTALS, DRILLS, TOMBSTONES, INCREMENTAL_STATE.split("/")[0]!, "workerRuns", "deadLetters"]);

/** Documents compared by checksum per root collection. */
const SAMPLE_PER_COLLECTION = 25;

/**
 * The restore drill: the newest verified backup (plus its hourly files) restored into a scratch
 * database, then document counts per root collection and checksums of a sample compared with the
 * live database. Counts may differ by the changes made since the last hourly file; anything
 * beyond that, or any sampled document unchanged since then that differs, fails the drill.
 */
export function createBackupDrill(deps: Pick<BackupDeps, "db" | "clock" | "logger"> & { restore: BackupRestore; target: (databaseId: string, projectId: string) => Firestore; databaseId: string }) {
  const telemetry = createBackupTelemetry(deps.logger);
  const checksum = (data: unknown) => createHash("sha256").update(JSON.stringify(encodeValue(data))).digest("hex");

  async function run(): Promise<DrillRecord> {
    const startedAt = deps.clock.now();
    const newest = await runQuery(BACKUP_QUERIES.newestVerified, deps.db.collection(BACKUPS).where("status", "==", "verified").orderBy("startedAt", "desc").limit(1));
    if (newest.empty) throw new Error("No verified backup to drill");
    const backup = backupManifest.parse(newest.docs[0]!.data());
    const projectId = backup.database.split("/")[1]!;
    const scratch = deps.target(deps.databaseId, projectId);
    for (const collection of await scratch.listCollections()) await scratch.recursiveDelete(collection);
    const result = await deps.restore.restore({ backupId: backup.id, databaseId: deps.databaseId });
    const replayedTo = result.incrementals.length ? result.incrementals[result.incrementals.length - 1]!.to : backup.startedAt;
    const counts: DrillRecord["counts"] = {};
    const mismatches: string[] = [];
    let sampled = 0;
    for (const collection of await deps.db.listCollections()) {
      if (NOT_COMPARED.has(collection.id)) continue;
      const [source, restored] = await Promise.all([runQuery(BACKUP_QUERIES.drillCount, collection.count()), runQuery(BACKUP_QUERIES.drillCount, scratch.collection(collection.id).count())]);
      counts[collection.id] = { source: source.data().count, restored: restored.data().count };
      const recent = await runQuery(BACKUP_QUERIES.drillRecent, collection.where("updatedAt", ">", new Date(replayedTo)).count());
      if (Math.abs(source.data().count - restored.data().count) > recent.data().count) mismatches.push(`${collection.id}: ${source.data().count} documents live, ${restored.data().count} restored`);
      const sample = await runQuery(BACKUP_QUERIES.drillSample, collection.limit(SAMPLE_PER_COLLECTION));
      for (const doc of sample.docs) {
        const updatedAt = doc.get("updatedAt") as { toMillis?: () => number } | undefined;
        if (typeof updatedAt?.toMillis === "function" && updatedAt.toMillis() > replayedTo) continue;
        sampled++;
        const copy = await scratch.doc(doc.ref.path).get();
        if (!copy.exists || checksum(copy.data()) !== checksum(doc.data())) mismatches.push(`${doc.ref.path}: ${copy.exists ? "checksum differs" : "missing"}`);
      }
    }
    const record: DrillRecord = { id: `drill-${new Date(startedAt).toISOString().replace(/[:.]/g, "")}`, backupId: backup.id, database: deps.databaseId, startedAt, finishedAt: deps.clock.now(), status: mismatches.length ? "failed" : "passed", importMs: result.importMs, replayedFiles: result.incrementals.length, counts, sampled, mismatches: mismatches.slice(0, 50) };
    await deps.db.collection(DRILLS).doc(record.id).set(record);
    telemetry.metric({ metric: "backup_drill", outcome: record.status === "passed" ? "success" : "failure", backupId: backup.id, durationMs: record.finishedAt - startedAt });
    if (record.status === "failed") telemetry.alert("drill-failed", { drillId: record.id, backupId: backup.id, mismatches: record.mismatches.length });
    return record;
  }

  return { run };
}
