import { queryShape } from "../lib/firestore-queries";
import { DEAD_LETTERS } from "../lib/workers";
import { ALERTS } from "./monitoring-records";

/** Shapes of monitoring's queries (the index check proves each is served). */
export const MONITORING_QUERIES = {
  /** Open alerts (signal rules resolve when quiet). */
  openAlerts: queryShape({ name: "monitoring.openAlerts", collectionGroup: ALERTS, equality: ["status"] }),
  /** Every rule's state: one small document per rule. */
  allAlerts: queryShape({ name: "monitoring.allAlerts", collectionGroup: ALERTS }),
  /** Dead letters recorded since a time (a count aggregation). */
  recentDeadLetters: queryShape({ name: "monitoring.recentDeadLetters", collectionGroup: DEAD_LETTERS, range: "at" }),
};
