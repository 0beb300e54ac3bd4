import { logger as defaultLogger, type Logger } from "../lib/logging";

/**
 * What monitoring reads: log-based metrics over these structured events (docs/backups.md names
 * them). `backup_metric` carries counters and durations; `backup_alert` is the one event an alert
 * policy fires on, whatever the cause (failed export, copy mismatch, stale backup, failed drill).
 */
export type BackupMetric =
  | { metric: "backup_export"; outcome: "success" | "failure"; backupId: string; bytes: number; durationMs: number }
  | { metric: "backup_replication"; outcome: "success" | "failure"; backupId: string; region: string; bytes: number; durationMs: number; recopies: number }
  | { metric: "backup_incremental"; outcome: "success" | "failure"; puts: number; deletes: number; bytes: number; durationMs: number }
  | { metric: "backup_newest_verified_age"; region: string; ageMs: number | null }
  | { metric: "backup_purge"; purged: number; kept: number }
  | { metric: "backup_drill"; outcome: "success" | "failure"; backupId: string; durationMs: number };

export type BackupAlertReason = "export-failed" | "copy-mismatch" | "copy-failed" | "stale" | "drill-failed" | "incremental-failed";

export function createBackupTelemetry(log: Logger = defaultLogger) {
  return {
    metric(metric: BackupMetric): void {
      log.info("backup_metric", metric);
    },
    alert(reason: BackupAlertReason, fields: Record<string, unknown>): void {
      log.error("backup_alert", { reason, ...fields });
    },
  };
}

export type BackupTelemetry = ReturnType<typeof createBackupTelemetry>;
