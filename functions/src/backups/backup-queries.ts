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
  eventCounts: "derived daily counters, rebuilt by the consumer",
  webhookDeliveries: "delivery log (high volume); deliveries lost with the database are re-sent by a recovery job (`webhooks.recover`)",
  webhookStats: "derived daily counters",
  webhookRecoveries: "recovery job state; a lost job is started again",
  webhookStreaks: "failure streaks with a TTL of a day",
  purgeJobs: "retention jobs of the day: a lost one is created again by the next hourly run and finds what is left",
  retentionWatermarks: "where redaction passes stopped: an older watermark only makes a pass read again what it already redacted",
  complianceReports: "monthly reports, generated again from their sources",
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
