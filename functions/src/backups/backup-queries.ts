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

/** Collection ids the hourly job scans by default (BACKUP_INCREMENTAL_COLLECTIONS). */
export const DEFAULT_INCREMENTAL_COLLECTIONS = "workspaces,members,prompts,versions,labelHistory,documents,chunks,executions,apiKeys";

/**
 * The hourly scan of one collection group by `updatedAt`: a collection-group range query, which
 * needs the field's collection-group index for that group. The default groups are registered at
 * load, so the index check sees them.
 */
export function incrementalScanShape(group: string): QueryShape {
  return queryShape({ name: `backups.incrementalScan.${group}`, collectionGroup: group, scope: "COLLECTION_GROUP", range: "updatedAt", orderBy: [["updatedAt", "asc"]] });
}
DEFAULT_INCREMENTAL_COLLECTIONS.split(",").forEach(incrementalScanShape);
