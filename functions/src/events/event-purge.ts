import { Timestamp, type DocumentReference, type Firestore, type WriteBatch } from "firebase-admin/firestore";
import { expiredDocuments, type PassSource } from "../lib/bounded-pass";
import { queryShape } from "../lib/firestore-queries";
import { EVENTS } from "./event-records";

/**
 * The events domain's retention entry points: published outbox events and daily event counts
 * past their retention. Unpublished events are left to the sweeper (it alerts on them).
 */
export const EVENT_PURGE_QUERIES = {
  publishedBefore: queryShape({ name: "events.publishedBefore", collectionGroup: EVENTS, equality: ["published"], range: "occurredAt", orderBy: [["occurredAt", "asc"], ["__name__", "asc"]] }),
  statsBefore: queryShape({ name: "events.statsBefore", collectionGroup: "eventStats", scope: "COLLECTION_GROUP", range: "day", orderBy: [["day", "asc"], ["__name__", "asc"]] }),
};

type Db = Pick<Firestore, "collectionGroup" | "collection" | "doc">;
type OnDelete = (batch: WriteBatch, ref: DocumentReference) => void;

export function expiredOutboxEvents(db: Db, cutoff: number, onDelete: OnDelete): PassSource {
  return expiredDocuments(db, { collection: EVENTS, group: false, field: "occurredAt", before: Timestamp.fromMillis(cutoff), equals: ["published", true], shape: EVENT_PURGE_QUERIES.publishedBefore }, onDelete);
}

/** `eventStats/{yyyy-mm-dd}` documents of days before the cutoff's day. */
export function expiredEventStats(db: Db, cutoff: number, onDelete: OnDelete): PassSource {
  return expiredDocuments(db, { collection: "eventStats", group: true, field: "day", before: new Date(cutoff).toISOString().slice(0, 10), shape: EVENT_PURGE_QUERIES.statsBefore }, onDelete);
}
