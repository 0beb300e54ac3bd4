import { Timestamp, type DocumentReference, type Firestore, type WriteBatch } from "firebase-admin/firestore";
import { expiredDocuments, type PassSource, type SubjectRecordSpec } from "../lib/bounded-pass";
import { queryShape } from "../lib/firestore-queries";
import { WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS, WEBHOOK_RECOVERIES, WEBHOOK_STATS } from "./webhook-records";

/** The webhook domain's retention and erasure entry points. */
export const WEBHOOK_PURGE_QUERIES = {
  statsBefore: queryShape({ name: "webhooks.statsBefore", collectionGroup: WEBHOOK_STATS, range: "day", orderBy: [["day", "asc"], ["__name__", "asc"]] }),
  deliveriesBefore: queryShape({ name: "webhooks.deliveriesBefore", collectionGroup: WEBHOOK_DELIVERIES, range: "createdAt", orderBy: [["createdAt", "asc"], ["__name__", "asc"]] }),
  endpointsByCreator: queryShape({ name: "webhooks.endpointsByCreator", collectionGroup: WEBHOOK_ENDPOINTS, equality: ["createdBy"], orderBy: [["__name__", "asc"]] }),
  recoveriesByCreator: queryShape({ name: "webhooks.recoveriesByCreator", collectionGroup: WEBHOOK_RECOVERIES, equality: ["createdBy"], orderBy: [["__name__", "asc"]] }),
  deliveriesOfWorkspace: queryShape({ name: "webhooks.deliveriesOfWorkspace", collectionGroup: WEBHOOK_DELIVERIES, equality: ["workspaceId"], orderBy: [["__name__", "asc"]] }),
};

/** Delivery logs (payloads and attempts) created before the cutoff, whatever their state. */
export function expiredWebhookDeliveries(db: Pick<Firestore, "collectionGroup" | "collection" | "doc">, cutoff: number, onDelete: (batch: WriteBatch, ref: DocumentReference) => void): PassSource {
  return expiredDocuments(db, { collection: WEBHOOK_DELIVERIES, group: false, field: "createdAt", before: Timestamp.fromMillis(cutoff), shape: WEBHOOK_PURGE_QUERIES.deliveriesBefore }, onDelete);
}

/** Daily attempt counters (`webhookStats/{endpoint}_{day}_{shard}`) of days before the cutoff's day. */
export function expiredWebhookStats(db: Pick<Firestore, "collectionGroup" | "collection" | "doc">, cutoff: number, onDelete: (batch: WriteBatch, ref: DocumentReference) => void): PassSource {
  return expiredDocuments(db, { collection: WEBHOOK_STATS, group: false, field: "day", before: new Date(cutoff).toISOString().slice(0, 10), shape: WEBHOOK_PURGE_QUERIES.statsBefore }, onDelete);
}

/** Endpoints and recovery jobs belong to the workspace: only their creator's id is replaced. */
export const WEBHOOK_SUBJECT_RECORDS: SubjectRecordSpec[] = [
  { collection: WEBHOOK_ENDPOINTS, group: false, field: "createdBy", shape: WEBHOOK_PURGE_QUERIES.endpointsByCreator, rule: "anonymise" },
  { collection: WEBHOOK_RECOVERIES, group: false, field: "createdBy", shape: WEBHOOK_PURGE_QUERIES.recoveriesByCreator, rule: "anonymise" },
];

/** Deliveries of a workspace: their payloads may name its members (`member.added`), scanned per workspace. */
export const WEBHOOK_WORKSPACE_RECORDS = { collection: WEBHOOK_DELIVERIES, group: false, field: "workspaceId", shape: WEBHOOK_PURGE_QUERIES.deliveriesOfWorkspace };
