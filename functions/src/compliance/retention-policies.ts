/**
 * How long each class of data is kept, declared in one place (docs/compliance.md shows this
 * table). The purge scheduler starts one job per class a day; the domain that owns the data
 * provides the pass that deletes or redacts it (see `purge-targets.ts`). Backups are purged by
 * the backup domain's own job (`purgeBackups`), with its own settings: listed here so the table
 * is complete.
 */
export const DATA_CLASSES = ["executions", "executionIo", "executionIoWithoutConsent", "auditLogs", "webhookDeliveries", "outboxEvents", "metrics", "webhookMetrics", "deletedWorkspaces", "backups"] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

export type RetentionPolicy = {
  /** Kept this long after the record's time field. */
  days: number;
  /** `delete` removes the record; `redact` keeps the record and blanks its personal content. */
  action: "delete" | "redact";
  /** What the class is, for docs and reports. */
  description: string;
  /** The job that enforces it. */
  enforcedBy: "compliance.purge" | "backups.purge";
};

const DAY_MS = 86_400_000;

export const RETENTION_POLICIES: Record<DataClass, RetentionPolicy> = {
  executions: { days: 90, action: "delete", description: "Execution records (`workspaces/{w}/executions`), by `createdAt`.", enforcedBy: "compliance.purge" },
  executionIo: { days: 30, action: "redact", description: "An execution's variables, output and retrieval query, blanked (`ioRedactedAt` set); the record stays for usage and cost.", enforcedBy: "compliance.purge" },
  executionIoWithoutConsent: {
    days: 1,
    action: "redact",
    description: "The same, for runs whose author has not consented to `execution-history`: inputs and outputs are kept one day only.",
    enforcedBy: "compliance.purge",
  },
  auditLogs: { days: 7 * 365, action: "delete", description: "Audit records: prompt label history (`labelEvents`), by `at`.", enforcedBy: "compliance.purge" },
  webhookDeliveries: { days: 30, action: "delete", description: "Webhook delivery logs (`webhookDeliveries`), by `createdAt`.", enforcedBy: "compliance.purge" },
  outboxEvents: { days: 30, action: "delete", description: "Published outbox events (`events`), by `occurredAt`; unpublished ones are left for the sweeper.", enforcedBy: "compliance.purge" },
  metrics: { days: 400, action: "delete", description: "Daily event counts (`workspaces/{w}/eventStats/{day}`), by `day`.", enforcedBy: "compliance.purge" },
  webhookMetrics: { days: 400, action: "delete", description: "Daily webhook attempt counters (`webhookStats/{endpoint}_{day}_{shard}`), by `day`.", enforcedBy: "compliance.purge" },
  deletedWorkspaces: { days: 30, action: "delete", description: "Workspaces their owner deleted: the grace period during which `restoreWorkspace` brings them back.", enforcedBy: "compliance.purge" },
  backups: { days: 30, action: "delete", description: "Daily backups 30 days; one per month 7 years (backup settings `dailyRetentionDays`, `monthlyRetentionYears`).", enforcedBy: "backups.purge" },
};

/** The classes the compliance purge runs (backups have their own job). */
export const PURGED_CLASSES = DATA_CLASSES.filter((c) => RETENTION_POLICIES[c].enforcedBy === "compliance.purge");

/** Records of `dataClass` older than this are due. */
export function cutoffOf(dataClass: DataClass, now: number, overrides: Partial<Record<DataClass, number>> = {}): number {
  return now - (overrides[dataClass] ?? RETENTION_POLICIES[dataClass].days) * DAY_MS;
}

/** The consent purpose `executionIoWithoutConsent` checks (consent-ledger.ts). */
export const EXECUTION_HISTORY_PURPOSE = "execution-history";
