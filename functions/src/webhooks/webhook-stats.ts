import { FieldValue, type Firestore, type Transaction } from "firebase-admin/firestore";
import { z } from "zod";
import { runQuery } from "../lib/firestore-queries";
import { requireRecord } from "../lib/firestore-records";
import { WEBHOOK_QUERIES } from "./webhook-queries";
import { WEBHOOK_STATS } from "./webhook-records";

/**
 * Attempt analytics per endpoint and event type: counters in `webhookStats/{endpoint}_{day}_{shard}`,
 * written in the transaction that records the attempt (so counts match the delivery log), over
 * `SHARDS` documents per endpoint and day so a busy endpoint does not hit one document's write
 * rate. Latency is a histogram; p50/p95 are read as the upper bound of the bucket they fall in.
 */
export const LATENCY_BUCKETS_MS = [25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000] as const;
const SHARDS = 8;

const bucketKey = (ms: number) => {
  const bound = LATENCY_BUCKETS_MS.find((b) => ms <= b);
  return bound === undefined ? "inf" : `le${bound}`;
};
// Map keys are kept free of dots (field paths elsewhere would split on them).
const typeKey = (type: string) => type.replace(/\./g, "~");

export type AttemptStat = { endpointId: string; workspaceId: string; eventType: string; ok: boolean; reason: string | null; durationMs: number; at: number };

export function recordAttemptStat(db: Pick<Firestore, "doc">, tx: Pick<Transaction, "set">, stat: AttemptStat, random: () => number = Math.random): void {
  const day = new Date(stat.at).toISOString().slice(0, 10);
  const shard = Math.floor(random() * SHARDS);
  const inc = FieldValue.increment(1);
  const counters: Record<string, unknown> = { attempts: inc, [stat.ok ? "successes" : "failures"]: inc, latency: { [bucketKey(stat.durationMs)]: inc } };
  if (stat.reason) counters.reasons = { [stat.reason]: inc };
  tx.set(db.doc(`${WEBHOOK_STATS}/${stat.endpointId}_${day}_${shard}`), { endpointId: stat.endpointId, workspaceId: stat.workspaceId, day, types: { [typeKey(stat.eventType)]: counters } }, { merge: true });
}

const countMap = z.record(z.string(), z.number());
const typeCounters = z.object({ attempts: z.number().default(0), successes: z.number().default(0), failures: z.number().default(0), reasons: countMap.default({}), latency: countMap.default({}) });
const statsDocSchema = z.object({ endpointId: z.string(), workspaceId: z.string(), day: z.string(), types: z.record(z.string(), typeCounters) });

export type DeliveryStats = {
  attempts: number;
  successes: number;
  failures: number;
  failuresByReason: Record<string, number>;
  /** Successes / attempts; null without attempts. */
  successRate: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
};

type Totals = { attempts: number; successes: number; failures: number; reasons: Record<string, number>; latency: Record<string, number> };
const empty = (): Totals => ({ attempts: 0, successes: 0, failures: 0, reasons: {}, latency: {} });

function add(into: Totals, from: Totals): void {
  into.attempts += from.attempts;
  into.successes += from.successes;
  into.failures += from.failures;
  for (const [k, v] of Object.entries(from.reasons)) into.reasons[k] = (into.reasons[k] ?? 0) + v;
  for (const [k, v] of Object.entries(from.latency)) into.latency[k] = (into.latency[k] ?? 0) + v;
}

function percentile(latency: Record<string, number>, q: number): number | null {
  const total = Object.values(latency).reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const bound of LATENCY_BUCKETS_MS) {
    seen += latency[`le${bound}`] ?? 0;
    if (seen >= q * total) return bound;
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1] ?? null;
}

function present(t: Totals): DeliveryStats {
  return {
    attempts: t.attempts,
    successes: t.successes,
    failures: t.failures,
    failuresByReason: t.reasons,
    successRate: t.attempts ? t.successes / t.attempts : null,
    latencyP50Ms: percentile(t.latency, 0.5),
    latencyP95Ms: percentile(t.latency, 0.95),
  };
}

/** One endpoint's counters since `fromDay` (UTC `yyyy-mm-dd`): overall and per event type. */
export async function readEndpointStats(db: Pick<Firestore, "collection">, endpointId: string, fromDay: string): Promise<DeliveryStats & { byEventType: Record<string, DeliveryStats> }> {
  const snap = await runQuery(WEBHOOK_QUERIES.statsSince, db.collection(WEBHOOK_STATS).where("endpointId", "==", endpointId).where("day", ">=", fromDay));
  const overall = empty();
  const byType = new Map<string, Totals>();
  for (const doc of snap.docs) {
    const stored = requireRecord(doc, statsDocSchema, { kind: "webhook stats" });
    for (const [key, counters] of Object.entries(stored.types)) {
      const type = key.replace(/~/g, ".");
      const totals = byType.get(type) ?? empty();
      add(totals, counters);
      add(overall, counters);
      byType.set(type, totals);
    }
  }
  return { ...present(overall), byEventType: Object.fromEntries([...byType].map(([type, totals]) => [type, present(totals)])) };
}
