import { FieldValue, Timestamp } from "firebase-admin/firestore";
import type { Redis } from "@upstash/redis";
import type { Clock } from "../lib/clock";
import { classTotals, decodeFields, histogramQuantile, mergedLatency, minuteKey, minuteOf, type MetricCounts } from "../lib/metrics";
import { readRecord } from "../lib/firestore-records";
import { encodeCounts, LIVE_DOC, periodId, periodPath, ROLLUP_STATE, rollupState, type MonitoringDb } from "./monitoring-records";

export type MetricsRollupDeps = {
  db: MonitoringDb;
  redis: Pick<Redis, "hgetall"> | null;
  clock: Clock;
  /** A minute is rolled up this long after it ends: flushes started inside it have landed. @default 5000 */
  graceMs?: number;
  /** Minutes caught up per run at most (after an outage). @default 15 */
  maxMinutesPerRun?: number;
};

/** What the live view and the dashboards show of a period at a glance. */
export function summarize(counts: MetricCounts) {
  const apis = Object.values(counts.apis);
  const totals = classTotals(apis);
  const p95 = histogramQuantile(mergedLatency(apis), 0.95);
  return {
    requests: totals.total,
    serverErrors: totals.server,
    throttled: totals.throttled,
    clientErrors: totals.client,
    errorRate: totals.total ? totals.server / totals.total : 0,
    // Firestore cannot store Infinity: above the last bucket reads as -1.
    p95Ms: p95 === null ? null : Number.isFinite(p95) ? p95 : -1,
  };
}

/**
 * Moves the per-minute Redis hashes into Firestore (scheduled every minute), and refreshes the
 * live view. Each minute is rolled up in one transaction that writes its document, adds it to its
 * hour and day and moves the cursor, so a retried or overlapping run never counts a minute twice.
 */
export function createMetricsRollup({ db, redis, clock, graceMs = 5_000, maxMinutesPerRun = 15 }: MetricsRollupDeps) {
  async function readMinute(minute: number): Promise<MetricCounts> {
    if (!redis) return { apis: {}, counters: {} };
    return decodeFields((await redis.hgetall<Record<string, unknown>>(minuteKey(minute))) ?? {});
  }

  /** Rolls up every complete minute after the cursor; returns the minutes written. */
  async function rollup(): Promise<number[]> {
    const lastComplete = minuteOf(clock.now() - graceMs) - 60_000;
    const state = readRecord(await db.doc(ROLLUP_STATE).get(), rollupState, { kind: "rollup state" });
    // A first run, or one after a long outage, starts an hour back (the Redis hashes live 3 hours).
    let next = Math.max(state ? state.lastMinute + 60_000 : lastComplete, lastComplete - 60 * 60_000);
    const written: number[] = [];
    for (let n = 0; next <= lastComplete && n < maxMinutesPerRun; n++, next += 60_000) {
      const minute = next;
      const counts = await readMinute(minute);
      const done = await db.runTransaction(async (tx) => {
        const current = readRecord(await tx.get(db.doc(ROLLUP_STATE)), rollupState, { kind: "rollup state" });
        if (current && current.lastMinute >= minute) return false;
        const doc = { ...encodeCounts(counts), start: Timestamp.fromMillis(minute), summary: summarize(counts) };
        tx.set(db.doc(periodPath("minute", minute)), doc);
        const increments = encodeCounts(counts, (value) => FieldValue.increment(value));
        tx.set(db.doc(periodPath("hour", minute)), { ...increments, id: periodId("hour", minute) }, { merge: true });
        tx.set(db.doc(periodPath("day", minute)), { ...increments, id: periodId("day", minute) }, { merge: true });
        tx.set(db.doc(ROLLUP_STATE), { lastMinute: minute });
        return true;
      });
      if (done) written.push(minute);
    }
    return written;
  }

  /**
   * `metrics/current`: the current minute so far (and the previous one, complete), what admins'
   * clients listen to. Called by the instance whose flush won the 1-second live slot, and by
   * the rollup each minute so the view moves even without traffic.
   */
  async function publishLive(minute = minuteOf(clock.now())): Promise<void> {
    const [current, previous] = await Promise.all([readMinute(minute), readMinute(minute - 60_000)]);
    await db.doc(LIVE_DOC).set({
      updatedAt: Timestamp.fromMillis(clock.now()),
      minute: periodId("minute", minute),
      current: { ...encodeCounts(current), summary: summarize(current) },
      previous: { ...encodeCounts(previous), summary: summarize(previous) },
    });
  }

  return { rollup, publishLive, readMinute };
}

export type MetricsRollup = ReturnType<typeof createMetricsRollup>;
