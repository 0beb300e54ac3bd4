import { defineInt, defineString } from "firebase-functions/params";
import { z } from "zod";
import { DEFAULT_BACKUP_SETTINGS, type BackupSettings } from "./backup-deps";
import { DEFAULT_INCREMENTAL_COLLECTIONS } from "./backup-queries";

/** Deploy-time settings of backups (docs/backups.md). Buckets default to names derived from the project. */
export const backupParams = {
  bucket: defineString("BACKUP_BUCKET", { default: "", description: "Primary backup bucket; empty = {project}-backups." }),
  regions: defineString("BACKUP_REGIONS", { default: "us-east1,europe-west1", description: "Regions holding verified copies, comma-separated." }),
  regionBucketPattern: defineString("BACKUP_REGION_BUCKET_PATTERN", { default: "{project}-backups-{region}", description: "Bucket name per region." }),
  dailyRetentionDays: defineInt("BACKUP_DAILY_RETENTION_DAYS", { default: DEFAULT_BACKUP_SETTINGS.dailyRetentionDays, description: "Days daily backups are kept." }),
  monthlyRetentionYears: defineInt("BACKUP_MONTHLY_RETENTION_YEARS", { default: DEFAULT_BACKUP_SETTINGS.monthlyRetentionYears, description: "Years the monthly compliance backup is kept." }),
  incrementalCollections: defineString("BACKUP_INCREMENTAL_COLLECTIONS", { default: DEFAULT_INCREMENTAL_COLLECTIONS, description: "Collection ids the hourly job scans for updatedAt." }),
  incrementalLagSeconds: defineInt("BACKUP_INCREMENTAL_LAG_SECONDS", { default: DEFAULT_BACKUP_SETTINGS.incrementalLagMs / 1000, description: "Changes younger than this wait for the next hourly run (writes committing late)." }),
  drillDatabase: defineString("BACKUP_DRILL_DATABASE", { default: "backup-drill", description: "Scratch database the weekly restore drill overwrites." }),
};

/**
 * Cloud Scheduler needs the cron at deploy time, where params cannot be read: it comes from the
 * functions' `.env` (`BACKUP_SCHEDULE`), read once at load. @default "0 2 * * *" (02:00 UTC)
 */
export const BACKUP_SCHEDULE = z.string().min(9).catch("0 2 * * *").parse(process.env.BACKUP_SCHEDULE);

export function backupSettings(projectId: string): BackupSettings {
  const list = (text: string) => text.split(",").map((s) => s.trim()).filter(Boolean);
  const pattern = backupParams.regionBucketPattern.value();
  return {
    ...DEFAULT_BACKUP_SETTINGS,
    projectId,
    primaryBucket: backupParams.bucket.value() || `${projectId}-backups`,
    regions: list(backupParams.regions.value()).map((region) => ({ region, bucket: pattern.replace("{project}", projectId).replace("{region}", region) })),
    dailyRetentionDays: backupParams.dailyRetentionDays.value(),
    monthlyRetentionYears: backupParams.monthlyRetentionYears.value(),
    incrementalCollections: list(backupParams.incrementalCollections.value()),
    incrementalLagMs: backupParams.incrementalLagSeconds.value() * 1000,
  };
}
