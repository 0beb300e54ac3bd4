import type { Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import { runQuery } from "../lib/firestore-queries";
import type { BackupDeps } from "./backup-deps";
import { BACKUP_QUERIES } from "./backup-queries";
import { BACKUPS, INCREMENTALS, backupManifest, incrementalRecord, type BackupManifest, type IncrementalRecord } from "./backups-records";
import type { ChangeLine } from "./backup-incremental";
import { decodeValue } from "./value-codec";
import { reapplyErasures, type ReapplyResult } from "../compliance/erasure-ledger";

export type RestoreRequest = {
  backupId: string;
  /** Target database id (a scratch database for drills). */
  databaseId: string;
  /** @default the backup's project */
  projectId?: string;
  /** Read the copies of this region instead of the primary bucket (primary region lost). */
  fromRegion?: string;
  /** Replay hourly files captured up to this time only. @default all */
  until?: number;
  dryRun?: boolean;
};

export type RestoreProgress = { phase: "import"; completed: number; total: number } | { phase: "replay"; file: number; files: number; lines: number };

export type RestorePlan = { backup: BackupManifest; importUri: string; target: string; incrementals: IncrementalRecord[]; bytes: number };

export type RestoreResult = RestorePlan & { importMs: number; replayMs: number; puts: number; deletes: number; dryRun: boolean; /** The erasure ledger re-applied to the target (docs/compliance.md). */ erasures: ReapplyResult | null };

const POLL_MS = 500;

const count = z.union([z.string(), z.number()]).optional();
const importMetadata = z.looseObject({ progressDocuments: z.looseObject({ completedWork: count, estimatedWork: count }).optional() });
const changeLine = z.discriminatedUnion("op", [
  z.object({ op: z.literal("put"), path: z.string().min(1), at: z.number(), data: z.record(z.string(), z.unknown()) }),
  z.object({ op: z.literal("delete"), path: z.string().min(1), at: z.number() }),
]);

/**
 * Restore: import a full export into a target database, then replay the hourly files captured
 * after it, oldest first. Used by the operators' CLI and the restore drill; the import is the
 * Firestore admin API, so it runs in Google's infrastructure and this process only polls.
 */
export function createBackupRestore(
  deps: Pick<BackupDeps, "db" | "admin" | "bucket" | "clock"> & {
    target: (databaseId: string, projectId: string) => Firestore;
    sleep?: (ms: number) => Promise<void>;
    /** Runs last, before the restored database serves traffic. @default the erasure ledger re-applied (compliance) */
    afterRestore?: (target: Firestore) => Promise<ReapplyResult>;
  },
) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function plan(req: RestoreRequest): Promise<RestorePlan> {
    const snap = await deps.db.collection(BACKUPS).doc(req.backupId).get();
    if (!snap.exists) throw new Error(`No backup ${req.backupId}`);
    const backup = backupManifest.parse(snap.data());
    if (backup.exportedAt === null || backup.status === "failed" || backup.status === "purged") throw new Error(`Backup ${backup.id} is ${backup.status}: nothing to restore`);
    const bucket = req.fromRegion ? backup.regions[req.fromRegion]?.bucket : backup.bucket;
    if (!bucket) throw new Error(`Backup ${backup.id} has no copy in ${req.fromRegion}`);
    if (req.fromRegion && backup.regions[req.fromRegion]!.status !== "verified") throw new Error(`The ${req.fromRegion} copy of ${backup.id} is not verified`);
    // Files whose window ends after the export started hold every change the export may lack.
    const files = await runQuery(BACKUP_QUERIES.incrementalsAfter, deps.db.collection(INCREMENTALS).where("to", ">", backup.startedAt).orderBy("to"));
    const incrementals = files.docs.map((d) => incrementalRecord.parse(d.data())).filter((f) => req.until === undefined || f.to <= req.until);
    const projectId = req.projectId ?? backup.database.split("/")[1]!;
    return { backup, importUri: `gs://${bucket}/${backup.prefix}`, target: `projects/${projectId}/databases/${req.databaseId}`, incrementals, bytes: backup.bytes + incrementals.reduce((s, f) => s + f.object.size, 0) };
  }

  async function restore(req: RestoreRequest, onProgress: (p: RestoreProgress) => void = () => undefined): Promise<RestoreResult> {
    const p = await plan(req);
    if (req.dryRun) return { ...p, importMs: 0, replayMs: 0, puts: 0, deletes: 0, dryRun: true, erasures: null };
    const importStart = deps.clock.now();
    const [operation] = await deps.admin.importDocuments({ name: p.target, inputUriPrefix: p.importUri });
    for (;;) {
      const progress = await deps.admin.checkImportDocumentsProgress(operation.name!);
      const docs = importMetadata.safeParse(progress.metadata).data?.progressDocuments;
      onProgress({ phase: "import", completed: Number(docs?.completedWork ?? 0), total: Number(docs?.estimatedWork ?? 0) });
      if (progress.done) {
        if (progress.error) throw new Error(`Import failed: ${progress.error.message ?? "unknown error"}`);
        break;
      }
      await sleep(POLL_MS);
    }
    const importMs = deps.clock.now() - importStart;
    const replayStart = deps.clock.now();
    const target = deps.target(req.databaseId, p.target.split("/")[1]!);
    // A put holds the whole document and a delete removes it, so only each path's last line
    // (files oldest first, lines in time order) decides the result: writes need no ordering.
    const last = new Map<string, ChangeLine>();
    for (const [index, file] of p.incrementals.entries()) {
      const bucket = req.fromRegion ? (p.backup.regions[req.fromRegion]?.bucket ?? file.bucket) : file.bucket;
      const [bytes] = await deps.bucket(bucket).file(file.object.name).download();
      const lines = bytes.toString("utf8").split("\n").filter(Boolean);
      for (const text of lines) {
        const line = changeLine.parse(JSON.parse(text));
        last.set(line.path, line as ChangeLine);
      }
      onProgress({ phase: "replay", file: index + 1, files: p.incrementals.length, lines: lines.length });
    }
    const writer = target.bulkWriter();
    let puts = 0;
    let deletes = 0;
    for (const line of last.values()) {
      const ref = target.doc(line.path);
      if (line.op === "put") {
        void writer.set(ref, decodeValue(line.data, target) as Record<string, unknown>);
        puts++;
      } else {
        void writer.delete(ref);
        deletes++;
      }
    }
    await writer.close();
    const replayMs = deps.clock.now() - replayStart;
    // People erased after the backup was taken are erased again before anyone reads the restored data.
    const erasures = await (deps.afterRestore ?? ((restored: Firestore) => reapplyErasures(restored, deps.db, deps.clock)))(target);
    return { ...p, importMs, replayMs, puts, deletes, dryRun: false, erasures };
  }

  return { plan, restore };
}

export type BackupRestore = ReturnType<typeof createBackupRestore>;
