import { systemClock } from "../lib/clock";
import { createTwoLevelCache, type TwoLevelCache } from "../lib/cache";
import { runtimeEnv } from "../lib/config";
import { redis } from "./clients";

export { cacheKeys, cacheTags } from "./cache-keys";

let built: TwoLevelCache | undefined;

/**
 * This instance's cache, built on first use over the shared Redis client. Without Redis
 * (`redis()` is `null`) it runs as L1 plus loader, with L1 entries living at most the staleness
 * bound, so instances still cannot disagree for long.
 */
export function cache(): TwoLevelCache {
  if (!built) built = createTwoLevelCache({ redis: redis(), clock: systemClock, redisTimeoutMs: runtimeEnv().REDIS_TIMEOUT_MS });
  return built;
}

/** Tests swap in a cache wired to their own Redis (or none). */
export function overrideCache(next: TwoLevelCache | undefined): void {
  built = next;
}
