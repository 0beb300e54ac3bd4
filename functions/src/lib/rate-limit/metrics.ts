/** Outcomes counted per policy. `fallback` counts decisions the in-memory limiter made. */
export type RateLimitOutcome =
  | "allowed"
  | "limited"
  | "banned"
  | "challenged"
  | "denied"
  | "bypassed"
  | "unavailable"
  | "fallback"
  /** Refused with 503 `overloaded`: Redis timed out while this instance was saturated. */
  | "shed"
  | "cache_hit"
  | "failure_recorded"
  | "failure_unrecorded"
  | "ban_started";

export type RateLimitMetricsSnapshot = Record<string, Partial<Record<RateLimitOutcome, number>>>;

/**
 * Per-instance counters, keyed by policy. The monitoring work reads `snapshot()` (and may
 * `reset()` after exporting); the limiter only ever increments.
 */
export function createRateLimitMetrics() {
  let counters: RateLimitMetricsSnapshot = {};
  return {
    increment(policy: string, outcome: RateLimitOutcome, by = 1): void {
      const forPolicy = (counters[policy] ??= {});
      forPolicy[outcome] = (forPolicy[outcome] ?? 0) + by;
    },
    snapshot(): RateLimitMetricsSnapshot {
      return structuredClone(counters);
    },
    reset(): void {
      counters = {};
    },
  };
}

export type RateLimitMetrics = ReturnType<typeof createRateLimitMetrics>;
