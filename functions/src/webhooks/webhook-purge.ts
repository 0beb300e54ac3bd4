import { Timestamp, type DocumentReference, type Firestore, type WriteBatch } from "firebase-admin/firestore";
import { expiredDocuments, type PassSource, type SubjectRecordSpec } from "../lib/bounded-pass";
import { queryShape } from "../lib/firestore-queries";
import { WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS, WEBHOOK_RECOVERIES } from "./webhook-records";

/** The webhook domain's retention and erasure entry points. */
export const WEBHOOK_PURGE_QUERIES = {
  deliveriesBefore: queryShape({ name: "webhooks.deliveriesBefore", collectionGroup: WEBHOOK_DELIVERIES, range: "createdAt", orderBy: [["createdAt", "asc"], ["__name__", "asc"]] }),
  endpointsByCreator: queryShape({ name: "webhooks.endpointsByCreator", collectionGroup: WEBHOOK_ENDPOINTS, equality: ["createdBy"], orderBy: [["__name__", "asc"]] }),
  recoveriesByCreator: queryShape({ name: "webhooks.recoveriesByCreator", collectionGroup: WEBHOOK_RECOVERIES, equality: ["createdBy"], orderBy: [["__name__", "asc"]] }),
  deliveriesOfWorkspace: queryShape({ name: "webhooks.deliveriesOfWorkspace", collectionGroup: WEBHOOK_DELIVERIES, equality: ["workspaceId"], orderBy: [["__name__", "asc"]] }),
};

/** Delivery logs (payloads and attempts) created before the cutoff, whatever their state. */
export function expiredWebhookDeliveries(db: Pick<Firestore, "collectionGroup" | "collection" | "doc">, cutoff: number, onDelete: (batch: WriteBatch, ref: DocumentReference) => void): PassSource {
  return expiredDocuments(db, { collection: WEBHOOK_DELIVERIES, group: false, field: "createdAt", before: Timestamp.fromMillis(cutoff), shape: WEBHOOK_PURGE_QUERIES.deliveriesBefore }, onDelete);
}

/** Endpoints and recovery jobs belong to the workspace: only their creator's id is replaced. */
export const WEBHOOK_SUBJECT_RECORDS: SubjectRecordSpec[] = [
  { collection: WEBHOOK_ENDPOINTS, group: false, field: "createdBy", shape: WEBHOOK_PURGE_QUERIES.endpointsByCreator, rule: "anonymise" },
  { collection: WEBHOOK_RECOVERIES, group: false, field: "createdBy", shape: WEBHOOK_PURGE_QUERIES.recoveriesByCreator, rule: "anonymise" },
];

/** Deliveries of a workspace: their payloads may name its members (`member.added`), scanned per workspace. */
export const WEBHOOK_WORKSPACE_RECORDS = { collection: WEBHOOK_DELIVERIES, group: false, field: "workspaceId", shape: WEBHOOK_PURGE_QUERIES.deliveriesOfWorkspace };
