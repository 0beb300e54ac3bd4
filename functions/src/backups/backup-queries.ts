import { queryShape, type QueryShape } from "../lib/firestore-queries";
import { BACKUPS, INCREMENTALS, TOMBSTONES } from "./backups-records";

/** Shapes of the backup jobs' queries (the index check proves firestore.indexes.json serves each). */
export const BACKUP_QUERIES = {
  newestVerified: queryShape({ name: "backups.newestVerified", collectionGroup: BACKUPS, equality: ["status"], orderBy: [["startedAt", "desc"]] }),
  newest: queryShape({ name: "backups.newest", collectionGroup: BACKUPS, orderBy: [["startedAt", "desc"]] }),
  all: queryShape({ name: "backups.all", collectionGroup: BACKUPS }),
  active: queryShape({ name: "backups.active", collectionGroup: BACKUPS, equality: ["status"] }),
  incrementalsAfter: queryShape({ name: "backups.incrementalsAfter", collectionGroup: INCREMENTALS, range: "to", orderBy: [["to", "asc"]] }),
  incrementalsBefore: queryShape({ name: "backups.incrementalsBefore", collectionGroup: INCREMENTALS, range: "to" }),
  tombstones: queryShape({ name: "backups.tombstones", collectionGroup: TOMBSTONES, range: "deletedAt", orderBy: [["deletedAt", "asc"]] }),
  /** The drill's reads of any root collection: counts, recent changes, a sample. */
  drillCount: queryShape({ name: "backups.drillCount", collectionGroup: "(any root collection)" }),
  drillRecent: queryShape({ name: "backups.drillRecent", collectionGroup: "(any root collection)", range: "updatedAt" }),
  drillSample: queryShape({ name: "backups.drillSample", collectionGroup: "(any root collection)" }),
};

/**
 * Collection ids the hourly job scans by default (BACKUP_INCREMENTAL_COLLECTIONS). Each record of
 * these carries `updatedAt`, moved by every write, and each delete writes a tombstone
 * (test/backups/backup-product-writes.test.ts holds the services to it).
 */
export const DEFAULT_INCREMENTAL_COLLECTIONS = "users,workspaces,members,prompts,versions,labelEvents,documents,sources,chunks,executions,apiKeys,webhookEndpoints,erasureLedger,dataRequests,consents,consentEvents,workspaceDeletions";

/**
 * Collections the hourly job leaves to the daily export, and why: after a restore they are at
 * most a day old, which is acceptable for each of these.
 */
export const INCREMENTAL_EXCLUSIONS: Record<string, string> = {
  events: "the outbox: published within seconds; a restored unpublished event is published again and receivers dedupe by event id",
  outboxLeases: "per-workspace publishing leases that expire within a minute",
  eventStats: "derived daily counters of the events consumer",
  webhookDeliveries: "delivery log (high volume); deliveries lost with the database are re-sent by a recovery job (`webhooks.recover`)",
  webhookStats: "derived daily counters",
  webhookRecoveries: "recovery job state; a lost job is started again",
  webhookStreaks: "failure streaks with a TTL of a day",
  purgeJobs: "retention jobs of the day: a lost one is created again by the next hourly run and finds what is left",
  retentionWatermarks: "where redaction passes stopped: an older watermark only makes a pass read again what it already redacted",
  complianceReports: "monthly reports, generated again from their sources",
  backups: "backup bookkeeping: restored, it would describe the backups as of the restored point; the backups themselves are in the buckets",
  backupIncrementals: "backup bookkeeping (as `backups`)",
  backupDrills: "backup bookkeeping (as `backups`)",
  backupState: "the hourly job's watermark: an older one makes the next file carry more, not less",
  tombstones: "what the hourly files carry deletions from; replayed as deletes, not as documents",
  deadLetters: "the operators' queue of failed messages; each is also logged (`worker_dead_lettered`) when written",
  workerRuns: "idempotency markers: without the newest, a redelivered message may run again, which every worker tolerates (at-least-once)",
  metrics: "derived telemetry (per-minute rollups); Cloud Monitoring keeps its own",
  metricsHourly: "derived telemetry (as `metrics`)",
  metricsDaily: "derived telemetry (as `metrics`)",
  monitoringState: "the rollup's cursor: an older one rolls some minutes up again, idempotently",
  alerts: "open alerts: a lost one opens again at the next minute's evaluation while its condition holds",
  alertHistory: "alert history; the notifications themselves went out",
  secretAudit: "the access log, also written as structured logs (Cloud Logging keeps those): a day lost here is in the logs",
  secretRotations: "rotation state; Secret Manager's versions and aliases are the source of truth",
  secretAccessBaseline: "derived from the access log",
  secretAlerts: "anomaly alerts, also logged when raised",
};

/**
 * The hourly scan of one collection group by `updatedAt`: a collection-group range query, which
 * needs the field's collection-group index for that group. The default groups are registered at
 * load, so the index check sees them.
 */
export function incrementalScanShape(group: string): QueryShape {
  return queryShape({ name: `backups.incrementalScan.${group}`, collectionGroup: group, scope: "COLLECTION_GROUP", range: "updatedAt", orderBy: [["updatedAt", "asc"]] });
}
DEFAULT_INCREMENTAL_COLLECTIONS.split(",").forEach(incrementalScanShape);
