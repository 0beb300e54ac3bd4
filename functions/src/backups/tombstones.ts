import { Timestamp, type DocumentReference, type Firestore, type Transaction, type WriteBatch } from "firebase-admin/firestore";
import type { Clock } from "../lib/clock";
import { TOMBSTONES } from "./backups-records";

/** Tombstones outlive the daily window so every kept backup's hourly files can replay them (TTL on `expireAt`). */
export const TOMBSTONE_TTL_MS = 35 * 86_400_000;

/**
 * Records that `ref` was deleted, in the same batch or transaction as the delete, so the hourly
 * backup file carries the deletion (a deleted document leaves nothing else to find).
 * One line at each delete site: `recordTombstone(batch, db, ref, clock)`.
 */
export function recordTombstone(writer: Pick<WriteBatch, "set"> | Pick<Transaction, "set">, db: Pick<Firestore, "collection">, ref: Pick<DocumentReference, "path">, clock: Clock): void {
  const now = clock.now();
  (writer as Pick<WriteBatch, "set">).set(db.collection(TOMBSTONES).doc(), { path: ref.path, deletedAt: Timestamp.fromMillis(now), expireAt: Timestamp.fromMillis(now + TOMBSTONE_TTL_MS) });
}

/** A page of deletes that still fits one batch with its tombstones (Firestore: 500 writes per batch). */
export const MAX_DELETES_PER_BATCH = 250;

/**
 * Deletes `ref` and records its tombstone in the same batch or transaction: how every service
 * deletes a document the hourly backup scans (test/backups/backup-product-writes.test.ts).
 */
export function deleteWithTombstone(writer: Pick<WriteBatch, "set" | "delete"> | Pick<Transaction, "set" | "delete">, ref: DocumentReference, clock: Clock): void {
  (writer as Pick<WriteBatch, "delete">).delete(ref);
  recordTombstone(writer, ref.firestore, ref, clock);
}
