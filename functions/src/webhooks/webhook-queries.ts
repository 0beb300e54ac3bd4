import { queryShape } from "../lib/firestore-queries";
import { WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS, WEBHOOK_RECOVERIES, WEBHOOK_STATS } from "./webhook-records";

/** Every webhook query's shape (lib/query-shapes.ts); the index check proves firestore.indexes.json serves them. */
export const WEBHOOK_QUERIES = {
  /** A workspace's endpoints: fan-out, list, count, stats (at most a few dozen documents). */
  endpointsOfWorkspace: queryShape({ name: "webhooks.endpointsOfWorkspace", collectionGroup: WEBHOOK_ENDPOINTS, equality: ["workspaceId"] }),
  /** An endpoint's deliveries newest first, optionally of one state (the dead-letter queue). */
  deliveriesOfEndpoint: queryShape({
    name: "webhooks.deliveriesOfEndpoint",
    collectionGroup: WEBHOOK_DELIVERIES,
    equality: ["endpointId"],
    optionalEquality: ["state"],
    orderBy: [["createdAt", "desc"], ["__name__", "desc"]],
  }),
  /** Deliveries needing the sweeper (due retries, lost messages, expired leases), oldest first. */
  due: queryShape({ name: "webhooks.due", collectionGroup: WEBHOOK_DELIVERIES, range: "sweepAt", orderBy: [["sweepAt", "asc"]] }),
  /** A recovery job's scan of a workspace's (or one endpoint's) deliveries since a time, by cursor. */
  recoveryScan: queryShape({
    name: "webhooks.recoveryScan",
    collectionGroup: WEBHOOK_DELIVERIES,
    equality: ["workspaceId"],
    optionalEquality: ["endpointId"],
    range: "createdAt",
    orderBy: [["createdAt", "asc"], ["__name__", "asc"]],
  }),
  runningRecoveries: queryShape({ name: "webhooks.runningRecoveries", collectionGroup: WEBHOOK_RECOVERIES, equality: ["status"] }),
  /** An endpoint's stats shards since a day. */
  statsSince: queryShape({ name: "webhooks.statsSince", collectionGroup: WEBHOOK_STATS, equality: ["endpointId"], range: "day" }),
};
