import { systemClock } from "../../src/lib/clock";
import type { TwoLevelCache } from "../../src/lib/cache";
import { cacheCluster } from "./cache-stack";

/** The staleness bound the product tests run with: short, so "within the bound" is quick to see. */
export const TEST_BOUND_MS = 200;

/**
 * Two caches over one fresh Redis keyspace, in real time: two Cloud Functions instances.
 * `cleanup` drops the keyspace.
 */
export function twoInstances() {
  const cluster = cacheCluster({ clock: systemClock, stalenessBoundMs: TEST_BOUND_MS });
  return { cluster, a: cluster.instance(), b: cluster.instance(), cleanup: cluster.cleanup };
}

/**
 * Retries `check` until it passes, failing when that takes longer than the bound (plus
 * `slackMs` for the round trips of the check itself); resolves to the time it took.
 */
export async function withinBound(check: () => Promise<void>, slackMs = 150): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await check();
      return Date.now() - started;
    } catch (error) {
      if (Date.now() - started > TEST_BOUND_MS + slackMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export const loadsOf = (cache: TwoLevelCache, namespace: string) => cache.metrics().namespaces[namespace]?.loads ?? 0;
