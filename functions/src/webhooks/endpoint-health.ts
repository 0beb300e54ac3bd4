import { FieldValue, Timestamp, type Firestore, type Transaction } from "firebase-admin/firestore";
import { WEBHOOK_STREAKS } from "./webhook-records";

/**
 * Failed attempts of an endpoint's current failing streak, counted over `SHARDS` documents
 * `webhookStreaks/{endpointId}_{failingSince}_{shard}` with blind increments in the transaction
 * that records the attempt: no attempt reads or writes the endpoint document to count, so
 * concurrent attempts against one endpoint never queue on it. A streak is named by its start
 * (`health.failingSince`), so a success (which clears it) starts the next count from zero
 * without touching the old shards; those expire by TTL on `expireAt`.
 */
const SHARDS = 8;
const KEEP_MS = 30 * 86_400_000;

const shardRef = (db: Pick<Firestore, "doc">, endpointId: string, streak: number, shard: number) => db.doc(`${WEBHOOK_STREAKS}/${endpointId}_${streak}_${shard}`);

export function countStreakFailure(db: Pick<Firestore, "doc">, tx: Pick<Transaction, "set">, endpointId: string, streak: number, now: number, random: () => number = Math.random): void {
  const shard = Math.floor(random() * SHARDS);
  tx.set(shardRef(db, endpointId, streak, shard), { endpointId, streak, failures: FieldValue.increment(1), expireAt: Timestamp.fromMillis(now + KEEP_MS) }, { merge: true });
}

/** The streak's failed attempts so far (read only when the count decides something: a heartbeat, an auto-disable). */
export async function streakFailures(db: Pick<Firestore, "doc">, endpointId: string, streak: number): Promise<number> {
  const snaps = await Promise.all(Array.from({ length: SHARDS }, (_, shard) => shardRef(db, endpointId, streak, shard).get()));
  return snaps.reduce((sum, snap) => {
    const failures: unknown = snap.get("failures");
    return sum + (typeof failures === "number" ? failures : 0);
  }, 0);
}
