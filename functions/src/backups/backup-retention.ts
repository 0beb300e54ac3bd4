import { runQuery } from "../lib/firestore-queries";
import type { BackupDeps } from "./backup-deps";
import { BACKUP_QUERIES } from "./backup-queries";
import { createBackupTelemetry } from "./backup-telemetry";
import { BACKUPS, INCREMENTALS, backupManifest, incrementalRecord, type BackupManifest } from "./backups-records";

const DAY_MS = 86_400_000;

export type RetentionPlan = { keep: Array<{ id: string; why: string }>; purge: string[]; promote: string[] };

/**
 * Which backups to keep: every backup younger than the daily window; the earliest verified backup
 * of each month for the compliance window (promoted to `monthly`); and always the newest verified
 * backup, whatever its age, so a stalled schedule can never leave nothing to restore.
 */
export function planRetention(manifests: BackupManifest[], now: number, settings: { dailyRetentionDays: number; monthlyRetentionYears: number }): RetentionPlan {
  const live = manifests.filter((m) => m.status !== "purged").sort((a, b) => a.startedAt - b.startedAt);
  const verified = live.filter((m) => m.status === "verified");
  const newestVerified = verified[verified.length - 1];
  const monthly = new Map<string, BackupManifest>();
  for (const m of verified) {
    const month = new Date(m.startedAt).toISOString().slice(0, 7);
    if (!monthly.has(month)) monthly.set(month, m);
  }
  const monthlyIds = new Set([...monthly.values()].map((m) => m.id));
  const complianceCutoff = new Date(now);
  complianceCutoff.setUTCFullYear(complianceCutoff.getUTCFullYear() - settings.monthlyRetentionYears);
  const plan: RetentionPlan = { keep: [], purge: [], promote: [] };
  for (const m of live) {
    // Running work is never purged: its export or copies are still being written.
    if (m.status === "exporting" || m.status === "replicating") plan.keep.push({ id: m.id, why: "in progress" });
    else if (m.id === newestVerified?.id) plan.keep.push({ id: m.id, why: "newest verified" });
    else if (now - m.startedAt < settings.dailyRetentionDays * DAY_MS) plan.keep.push({ id: m.id, why: "daily window" });
    else if (monthlyIds.has(m.id) && m.startedAt >= complianceCutoff.getTime()) plan.keep.push({ id: m.id, why: "monthly compliance" });
    else plan.purge.push(m.id);
    if (monthlyIds.has(m.id) && m.tier !== "monthly" && !plan.purge.includes(m.id)) plan.promote.push(m.id);
  }
  return plan;
}

/** The daily purge: applies the plan to every bucket, then marks manifests `purged` (the record stays). */
export function createBackupRetention(deps: BackupDeps) {
  const { db, clock, settings } = deps;
  const telemetry = createBackupTelemetry(deps.logger);

  async function run(opts: { dryRun?: boolean } = {}): Promise<RetentionPlan & { incrementalsPurged: number }> {
    const snap = await runQuery(BACKUP_QUERIES.all, db.collection(BACKUPS));
    const manifests = snap.docs.map((d) => backupManifest.parse(d.data()));
    const plan = planRetention(manifests, clock.now(), settings);
    if (opts.dryRun) return { ...plan, incrementalsPurged: 0 };
    for (const id of plan.promote) await db.collection(BACKUPS).doc(id).update({ tier: "monthly" });
    for (const id of plan.purge) {
      const manifest = manifests.find((m) => m.id === id)!;
      for (const bucket of [manifest.bucket, ...Object.values(manifest.regions).map((r) => r.bucket)]) {
        const [files] = await deps.bucket(bucket).getFiles({ prefix: `${manifest.prefix}/` });
        for (const file of files) await file.delete({ ignoreNotFound: true });
      }
      await db.collection(BACKUPS).doc(id).update({ status: "purged" });
    }
    const incrementalsPurged = await purgeIncrementals(manifests, plan);
    telemetry.metric({ metric: "backup_purge", purged: plan.purge.length, kept: plan.keep.length });
    return { ...plan, incrementalsPurged };
  }

  /** Hourly files are only useful after a kept backup: those older than the oldest kept daily backup go. */
  async function purgeIncrementals(manifests: BackupManifest[], plan: RetentionPlan): Promise<number> {
    const keptDaily = manifests.filter((m) => plan.keep.some((k) => k.id === m.id && k.why !== "monthly compliance"));
    if (keptDaily.length === 0) return 0;
    const oldest = Math.min(...keptDaily.map((m) => m.startedAt));
    const old = await runQuery(BACKUP_QUERIES.incrementalsBefore, db.collection(INCREMENTALS).where("to", "<", oldest));
    for (const doc of old.docs) {
      const record = incrementalRecord.parse(doc.data());
      for (const bucket of [record.bucket, ...settings.regions.map((r) => r.bucket)]) await deps.bucket(bucket).file(record.object.name).delete({ ignoreNotFound: true });
      await doc.ref.delete();
    }
    return old.size;
  }

  return { run };
}
