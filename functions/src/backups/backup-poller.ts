import { runQuery } from "../lib/firestore-queries";
import type { BackupDeps } from "./backup-deps";
import { BACKUP_QUERIES } from "./backup-queries";
import type { BackupExports } from "./backup-export";
import { createBackupTelemetry } from "./backup-telemetry";
import { BACKUPS, backupManifest, type BackupManifest } from "./backups-records";

/** A replication step that has not moved for this long lost its message or its instance. */
export const STALLED_AFTER_MS = 10 * 60_000;

/**
 * The cron that keeps backups moving (every 5 minutes): finishes exports whose operation is done,
 * re-publishes replication steps that stalled (a crash, a lost message: the cursor in the manifest
 * says where to resume), and reports the age of the newest verified backup per region.
 */
export function createBackupPoller(deps: BackupDeps, exports: BackupExports) {
  const { db, clock, settings } = deps;
  const telemetry = createBackupTelemetry(deps.logger);

  async function run(): Promise<{ polled: number; resumed: number }> {
    let polled = 0;
    let resumed = 0;
    for (const manifest of await exports.active()) {
      if (manifest.status === "exporting") {
        await exports.poll(manifest.id);
        polled++;
        continue;
      }
      for (const [region, copy] of Object.entries(manifest.regions)) {
        if ((copy.status === "pending" || copy.status === "copying") && clock.now() - copy.updatedAt >= STALLED_AFTER_MS) {
          await deps.publisher.publish({ backupId: manifest.id, region });
          resumed++;
        }
      }
    }
    await freshness();
    return { polled, resumed };
  }

  /** Age of the newest verified copy per region (and the primary); older than `staleAfterMs` alerts. */
  async function freshness(): Promise<Record<string, number | null>> {
    const snap = await runQuery(BACKUP_QUERIES.newest, db.collection(BACKUPS).orderBy("startedAt", "desc").limit(60));
    const manifests: BackupManifest[] = snap.docs.map((d) => backupManifest.parse(d.data()));
    const ages: Record<string, number | null> = {};
    for (const region of ["primary", ...settings.regions.map((r) => r.region)]) {
      const newest = manifests.find((m) => m.status !== "purged" && (region === "primary" ? m.exportedAt !== null && m.status !== "failed" : m.regions[region]?.status === "verified"));
      const at = newest ? (region === "primary" ? newest.exportedAt : newest.regions[region]!.verifiedAt) : null;
      const ageMs = at === null ? null : clock.now() - at;
      ages[region] = ageMs;
      telemetry.metric({ metric: "backup_newest_verified_age", region, ageMs });
      if (ageMs === null || ageMs > settings.staleAfterMs) telemetry.alert("stale", { region, ageMs, limitMs: settings.staleAfterMs });
    }
    return ages;
  }

  return { run, freshness };
}
