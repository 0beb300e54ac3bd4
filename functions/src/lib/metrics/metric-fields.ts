/**
 * How request samples and counters are named in the per-minute Redis hashes and the Firestore
 * metric documents: one flat field per count, `r|<api>|<code>` (requests by outcome code),
 * `l|<api>|<bucket>` (latency histogram), `s|<api>` (latency sum, ms) and `c|<counter>`.
 */

/** Upper bounds (ms) of the latency histogram; the last bucket is everything above. */
export const LATENCY_BUCKETS_MS = [10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000] as const;

export type OutcomeClass = "ok" | "client" | "throttled" | "server";

const SERVER_CODES = new Set(["internal", "unknown", "unavailable", "deadline-exceeded", "data-loss"]);

/**
 * A callable's outcome is its HttpsError code (`ok` on success), a REST or health request's is its
 * HTTP status. Server errors spend the error budget; throttling (429, `resource-exhausted`) is
 * counted apart so a flood of refusals is visible without reading as an outage.
 */
export function outcomeClass(code: string): OutcomeClass {
  if (code === "ok") return "ok";
  if (/^\d{3}$/.test(code)) {
    const status = Number(code);
    if (status === 429) return "throttled";
    if (status >= 500) return "server";
    return status >= 400 ? "client" : "ok";
  }
  if (code === "resource-exhausted") return "throttled";
  return SERVER_CODES.has(code) ? "server" : "client";
}

/** Index of the histogram bucket a latency falls in (LATENCY_BUCKETS_MS.length = above the last bound). */
export function latencyBucket(ms: number): number {
  const index = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return index === -1 ? LATENCY_BUCKETS_MS.length : index;
}

// Field parts may not hold the separator; API names and codes never do, but a label from outside might.
const part = (value: string) => value.replace(/\|/g, "_").slice(0, 120);

export const metricField = {
  request: (api: string, code: string) => `r|${part(api)}|${part(code)}`,
  latency: (api: string, bucket: number) => `l|${part(api)}|${bucket}`,
  latencySum: (api: string) => `s|${part(api)}`,
  counter: (name: string) => `c|${part(name)}`,
};

/** Requests of one API in one period: outcomes by code, latency histogram (counts per bucket index) and sum. */
export type ApiCounts = { codes: Record<string, number>; latency: number[]; latencySumMs: number };

/** A period's counts, decoded from the flat fields. */
export type MetricCounts = { apis: Record<string, ApiCounts>; counters: Record<string, number> };

export const emptyCounts = (): MetricCounts => ({ apis: {}, counters: {} });
const emptyApi = (): ApiCounts => ({ codes: {}, latency: LATENCY_BUCKETS_MS.map(() => 0).concat(0), latencySumMs: 0 });

/** Decodes a Redis hash (field -> count); unknown fields are ignored. */
export function decodeFields(fields: Record<string, unknown>): MetricCounts {
  const out = emptyCounts();
  for (const [field, raw] of Object.entries(fields)) {
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    const [kind, name, detail] = field.split("|");
    if (!name) continue;
    if (kind === "c") {
      out.counters[name] = (out.counters[name] ?? 0) + value;
      continue;
    }
    const api = (out.apis[name] ??= emptyApi());
    if (kind === "r" && detail !== undefined) api.codes[detail] = (api.codes[detail] ?? 0) + value;
    else if (kind === "s") api.latencySumMs += value;
    else if (kind === "l" && detail !== undefined) {
      const bucket = Number(detail);
      if (Number.isInteger(bucket) && bucket >= 0 && bucket < api.latency.length) api.latency[bucket] = (api.latency[bucket] ?? 0) + value;
    }
  }
  return out;
}

/** Adds `from` into `into` (windows are sums of periods). */
export function addCounts(into: MetricCounts, from: MetricCounts): MetricCounts {
  for (const [name, value] of Object.entries(from.counters)) into.counters[name] = (into.counters[name] ?? 0) + value;
  for (const [name, api] of Object.entries(from.apis)) {
    const target = (into.apis[name] ??= emptyApi());
    for (const [code, n] of Object.entries(api.codes)) target.codes[code] = (target.codes[code] ?? 0) + n;
    api.latency.forEach((n, i) => (target.latency[i] = (target.latency[i] ?? 0) + n));
    target.latencySumMs += api.latencySumMs;
  }
  return into;
}

/** Totals of one API (or several, summed) by outcome class. */
export function classTotals(apis: ApiCounts[]): Record<OutcomeClass, number> & { total: number } {
  const totals = { ok: 0, client: 0, throttled: 0, server: 0, total: 0 };
  for (const api of apis) {
    for (const [code, n] of Object.entries(api.codes)) {
      totals[outcomeClass(code)] += n;
      totals.total += n;
    }
  }
  return totals;
}

/** Merged latency histogram of several APIs. */
export function mergedLatency(apis: ApiCounts[]): number[] {
  const out = LATENCY_BUCKETS_MS.map(() => 0).concat(0);
  for (const api of apis) api.latency.forEach((n, i) => (out[i] = (out[i] ?? 0) + n));
  return out;
}

/** The quantile of a histogram, as the upper bound of the bucket it falls in; null without samples, Infinity above the last bound. */
export function histogramQuantile(latency: number[], q: number): number | null {
  const total = latency.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < latency.length; i++) {
    seen += latency[i] ?? 0;
    if (seen >= q * total) return LATENCY_BUCKETS_MS[i] ?? Number.POSITIVE_INFINITY;
  }
  return Number.POSITIVE_INFINITY;
}

/** Requests slower than `thresholdMs` (counted by bucket: the threshold should be a bucket bound). */
export function slowerThan(latency: number[], thresholdMs: number): number {
  let slow = 0;
  latency.forEach((n, i) => {
    const lower = i === 0 ? 0 : (LATENCY_BUCKETS_MS[i - 1] ?? Number.POSITIVE_INFINITY);
    if (lower >= thresholdMs) slow += n;
  });
  return slow;
}
