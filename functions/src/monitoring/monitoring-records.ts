import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import { LATENCY_BUCKETS_MS, type ApiCounts, type MetricCounts } from "../lib/metrics";

/**
 * Where monitoring keeps its data (admins read it directly: firestore.rules):
 * - `metrics/{yyyy-mm-ddThh:mm}` one document per minute, written once by the rollup;
 * - `metrics/current`, the live view: the current minute so far, refreshed at most once a second;
 * - `metricsHourly/{yyyy-mm-ddThh}` and `metricsDaily/{yyyy-mm-dd}`, incremented with each minute
 *   rolled up, read for the 6-hour, 3-day and 30-day windows;
 * - `alerts/{ruleId}`, each rule's current state; `alertHistory/{id}`, every transition;
 * - `monitoringState/rollup`, the rollup's cursor.
 */
export const METRICS = "metrics";
export const METRICS_HOURLY = "metricsHourly";
export const METRICS_DAILY = "metricsDaily";
export const ALERTS = "alerts";
export const ALERT_HISTORY = "alertHistory";
export const ROLLUP_STATE = "monitoringState/rollup";
export const LIVE_DOC = `${METRICS}/current`;

export type Period = "minute" | "hour" | "day";

/** The document id of the period holding `ms` (UTC). */
export function periodId(period: Period, ms: number): string {
  const iso = new Date(ms).toISOString();
  return period === "minute" ? iso.slice(0, 16) : period === "hour" ? iso.slice(0, 13) : iso.slice(0, 10);
}
export const PERIOD_MS: Record<Period, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
export const periodStart = (period: Period, ms: number) => Math.floor(ms / PERIOD_MS[period]) * PERIOD_MS[period];
const collectionOf: Record<Period, string> = { minute: METRICS, hour: METRICS_HOURLY, day: METRICS_DAILY };
export const periodPath = (period: Period, ms: number) => `${collectionOf[period]}/${periodId(period, ms)}`;

// Map keys without dots, so no field path anywhere splits an API name (`callable:prompts.create`).
const encodeKey = (key: string) => key.replace(/\./g, "~");
const decodeKey = (key: string) => key.replace(/~/g, ".");

const countMap = z.record(z.string(), z.number());
const storedApi = z.object({ codes: countMap.default({}), latency: countMap.default({}), latencySumMs: z.number().default(0) });
export const storedCounts = z.looseObject({ apis: z.record(z.string(), storedApi).default({}), counters: countMap.default({}) });

/** Counts as stored: maps only (hourly and daily documents are built by `FieldValue.increment`). */
export function encodeCounts(counts: MetricCounts, value: (n: number) => unknown = (n) => n) {
  const apis: Record<string, unknown> = {};
  for (const [name, api] of Object.entries(counts.apis)) {
    const latency: Record<string, unknown> = {};
    api.latency.forEach((n, i) => {
      if (n) latency[`b${i}`] = value(n);
    });
    apis[encodeKey(name)] = { codes: Object.fromEntries(Object.entries(api.codes).map(([c, n]) => [encodeKey(c), value(n)])), latency, latencySumMs: value(api.latencySumMs) };
  }
  return { apis, counters: Object.fromEntries(Object.entries(counts.counters).map(([c, n]) => [encodeKey(c), value(n)])) };
}

export function decodeCounts(data: unknown): MetricCounts {
  const parsed = storedCounts.safeParse(data ?? {});
  if (!parsed.success) return { apis: {}, counters: {} };
  const apis: Record<string, ApiCounts> = {};
  for (const [name, api] of Object.entries(parsed.data.apis)) {
    apis[decodeKey(name)] = {
      codes: Object.fromEntries(Object.entries(api.codes).map(([c, n]) => [decodeKey(c), n])),
      latency: LATENCY_BUCKETS_MS.map((_, i) => api.latency[`b${i}`] ?? 0).concat(api.latency[`b${LATENCY_BUCKETS_MS.length}`] ?? 0),
      latencySumMs: api.latencySumMs,
    };
  }
  return { apis, counters: Object.fromEntries(Object.entries(parsed.data.counters).map(([c, n]) => [decodeKey(c), n])) };
}

export const alertStatus = z.enum(["open", "resolved"]);
export const severity = z.enum(["critical", "warning", "ticket"]);
export type Severity = z.infer<typeof severity>;

/** `alerts/{ruleId}`. `notified` is the status last notified: a failed notification is retried each minute until it matches. */
export const alertRecord = z.object({
  ruleId: z.string(),
  status: alertStatus,
  severity,
  summary: z.string(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  source: z.enum(["evaluation", "signal"]),
  openedAt: z.instanceof(Timestamp),
  lastSeenAt: z.instanceof(Timestamp),
  resolvedAt: z.instanceof(Timestamp).nullable(),
  notified: alertStatus.nullable(),
  /** Times it fired while open (de-duplicated occurrences). */
  occurrences: z.number().int(),
  runbook: z.string(),
});
export type AlertRecord = z.infer<typeof alertRecord>;

export const rollupState = z.object({ lastMinute: z.number() });

export type MonitoringDb = Pick<Firestore, "doc" | "collection" | "runTransaction" | "getAll" | "batch">;
