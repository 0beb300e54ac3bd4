/**
 * Counters the monitoring work reads: hits and misses per level and namespace, loader calls and
 * latency, evictions, and how Redis is doing. Plain numbers, read with `snapshot()`.
 */

export type NamespaceCounters = {
  l1Hits: number;
  l1Misses: number;
  l2Hits: number;
  /** Expired values served while one instance refreshes them. */
  l2StaleHits: number;
  l2Misses: number;
  /** L2 values found but outdated by an invalidation. */
  l2Invalidated: number;
  /** Hits (either level) on a remembered not-found. */
  negativeHits: number;
  loads: number;
  loadErrors: number;
  loaderMsTotal: number;
  loaderMsMax: number;
  l1Evictions: number;
  /** Values over the size cap or not serialisable: returned, not cached. */
  notCached: number;
};

export type GlobalCounters = {
  redisFailures: number;
  /** Calls not attempted because the breaker was open. */
  redisSkipped: number;
  syncs: number;
  syncFailures: number;
  /** L1 emptied because the invalidation log could not be followed (gap, Redis reset). */
  l1Flushes: number;
  invalidations: number;
  invalidationFailures: number;
  /** Waits for another instance's loader (cross-instance stampede protection). */
  lockWaits: number;
  backgroundRefreshes: number;
};

export type CacheMetricsSnapshot = {
  namespaces: Record<string, NamespaceCounters>;
  global: GlobalCounters;
  l1: { entries: number; bytes: number };
  redis: { open: boolean; consecutiveFailures: number };
};

const emptyNamespace = (): NamespaceCounters => ({
  l1Hits: 0,
  l1Misses: 0,
  l2Hits: 0,
  l2StaleHits: 0,
  l2Misses: 0,
  l2Invalidated: 0,
  negativeHits: 0,
  loads: 0,
  loadErrors: 0,
  loaderMsTotal: 0,
  loaderMsMax: 0,
  l1Evictions: 0,
  notCached: 0,
});

const emptyGlobal = (): GlobalCounters => ({
  redisFailures: 0,
  redisSkipped: 0,
  syncs: 0,
  syncFailures: 0,
  l1Flushes: 0,
  invalidations: 0,
  invalidationFailures: 0,
  lockWaits: 0,
  backgroundRefreshes: 0,
});

export function createCacheMetrics() {
  let namespaces = new Map<string, NamespaceCounters>();
  let global = emptyGlobal();

  const of = (namespace: string): NamespaceCounters => {
    let counters = namespaces.get(namespace);
    if (!counters) namespaces.set(namespace, (counters = emptyNamespace()));
    return counters;
  };

  return {
    count(namespace: string, counter: Exclude<keyof NamespaceCounters, "loaderMsTotal" | "loaderMsMax">, by = 1): void {
      of(namespace)[counter] += by;
    },
    loaderLatency(namespace: string, ms: number): void {
      const counters = of(namespace);
      counters.loaderMsTotal += ms;
      if (ms > counters.loaderMsMax) counters.loaderMsMax = ms;
    },
    countGlobal(counter: keyof GlobalCounters, by = 1): void {
      global[counter] += by;
    },
    snapshot(): Pick<CacheMetricsSnapshot, "namespaces" | "global"> {
      return {
        namespaces: Object.fromEntries([...namespaces].map(([name, counters]) => [name, { ...counters }])),
        global: { ...global },
      };
    },
    reset(): void {
      namespaces = new Map();
      global = emptyGlobal();
    },
  };
}

export type CacheMetrics = ReturnType<typeof createCacheMetrics>;
