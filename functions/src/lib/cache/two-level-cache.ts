import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { systemClock, type Clock } from "../clock";
import { logger as defaultLogger, type Logger } from "../logging";
import { assertKey, assertNamespace, assertTag, cacheRedisKeys, entryId, type CacheKey, type InvalidationTargets } from "./cache-keys";
import { createCacheMetrics, type CacheMetricsSnapshot } from "./cache-metrics";
import { stampsEqual, type Envelope, type VersionStamps } from "./envelope";
import { createInvalidationFollower } from "./invalidation-follower";
import { createInvalidationOutbox } from "./invalidation-outbox";
import { createL1Store } from "./l1-store";
import { createL2Store, type CacheRedis } from "./l2-store";
import { longestLifetimeMs, resolvePolicies, type CachePolicy, type CachePolicyOverrides, type DataClass } from "./policies";
import { createRedisGuard } from "./redis-guard";
import { CacheSerializationError, decodeValue, deepFreeze, encodeValue } from "./serialization";
import { createSingleFlight } from "./single-flight";

/** Answers `null` (or `undefined`) for not found, which is remembered for the policy's `negativeTtlMs`. */
export type Loader<T> = () => Promise<T | null | undefined>;

export type TwoLevelCacheOptions = {
  /** `null`: no Redis configured; the cache runs as L1 plus loader only. */
  redis: CacheRedis | null;
  /** @default systemClock */
  clock?: Clock;
  logger?: Pick<Logger, "warn">;
  policies?: CachePolicyOverrides;
  /** Isolates tests and benchmarks sharing one Redis. @default "" */
  scope?: string;
  /** @default 10_000 */
  l1MaxEntries?: number;
  /** @default 32 MiB */
  l1MaxBytes?: number;
  /** Encoded values above this are returned but never cached. @default 256 KiB */
  maxValueBytes?: number;
  /** Longest time another instance's invalidation can go unnoticed by this L1. @default 1000 */
  stalenessBoundMs?: number;
  /** @default 250 */
  redisTimeoutMs?: number;
  /** How long one instance may hold the right to load a missing key. @default 5000 */
  lockTtlMs?: number;
  /** How long others wait for that instance's result before loading themselves. @default 500 */
  lockWaitMs?: number;
  /** @default 25 */
  lockPollMs?: number;
};

export type TwoLevelCache = ReturnType<typeof createTwoLevelCache>;

type Resolved = { found: true; value: unknown } | { found: false };

/**
 * Read-through cache: L1 (this instance, bounded LRU) then L2 (Redis) then the loader, with the
 * result written back to both. Values come back deeply frozen: copy before changing one.
 */
export function createTwoLevelCache(options: TwoLevelCacheOptions) {
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? defaultLogger;
  const policies = resolvePolicies(options.policies);
  const maxValueBytes = options.maxValueBytes ?? 256 * 1024;
  const stalenessBoundMs = options.stalenessBoundMs ?? 1000;
  const lockTtlMs = options.lockTtlMs ?? 5000;
  const lockWaitMs = options.lockWaitMs ?? 500;
  const lockPollMs = options.lockPollMs ?? 25;
  // Versions outlive every value stamped with them; see l2-store.ts.
  const versionTtlMs = longestLifetimeMs(policies) + 60_000;

  const metrics = createCacheMetrics();
  const l1 = createL1Store({ maxEntries: options.l1MaxEntries, maxBytes: options.l1MaxBytes, onEvict: (ns) => metrics.count(ns, "l1Evictions") });
  const guard = createRedisGuard({
    clock,
    timeoutMs: options.redisTimeoutMs,
    onFailure: (error, consecutive) => {
      metrics.countGlobal("redisFailures");
      if (consecutive === 1) log.warn("cache_redis_unavailable", { error: error instanceof Error ? error.message : String(error) });
    },
  });
  const l2 = options.redis ? createL2Store({ redis: options.redis, keys: cacheRedisKeys(options.scope), guard }) : null;
  const outbox = createInvalidationOutbox();
  const follower = createInvalidationFollower({ l1, l2, clock, metrics, stalenessBoundMs, beforeSync: pushOutbox });
  const flights = createSingleFlight();
  const refreshing = new Set<string>();
  const background = new Set<Promise<void>>();

  async function getOrLoad<T>(key: CacheKey, loader: Loader<T>, dataClass: DataClass): Promise<T | null> {
    assertKey(key);
    const policy = policies[dataClass];
    const id = entryId(key);
    const now = clock.now();
    follower.refreshAhead(now);
    let entry = l1.get(id);
    if (entry && now < entry.expiresAt && !follower.isConfirmed(entry, now)) {
      await follower.sync();
      entry = l1.get(id);
    }
    if (entry && clock.now() < entry.expiresAt && follower.isConfirmed(entry, clock.now())) {
      metrics.count(key.namespace, "l1Hits");
      if (entry.value === null) metrics.count(key.namespace, "negativeHits");
      return entry.value as T | null;
    }
    metrics.count(key.namespace, "l1Misses");
    return flights.run(id, () => readThrough(key, id, loader, policy)) as Promise<T | null>;
  }

  async function readThrough(key: CacheKey, id: string, loader: Loader<unknown>, policy: CachePolicy): Promise<unknown> {
    // The first reads of an instance wait for its first sync, so what they store in L1 is
    // not thrown away by that sync's flush.
    if (!follower.started() && guard.available()) await follower.sync();
    const readAt = clock.now();
    const generation = follower.generation();
    let current: VersionStamps | null = null;
    if (l2 && guard.available()) {
      try {
        const read = await l2.read(key);
        current = read.current;
        const hit = read.envelope ? useEnvelope(key, id, read.envelope, current, readAt, generation) : { found: false as const };
        if (hit.found) return hit.value;
        const envelope = read.envelope;
        if (envelope && stampsEqual(envelope.stamps, current) && readAt < envelope.hardExpiresAt && !envelope.negative) {
          const stale = decodeEnvelope(envelope);
          if (stale.found) {
            metrics.count(key.namespace, "l2StaleHits");
            refreshInBackground(key, id, loader, policy, current);
            return stale.value;
          }
        }
      } catch {
        current = null;
      }
    } else if (l2) {
      metrics.countGlobal("redisSkipped");
    }
    if (l2) metrics.count(key.namespace, "l2Misses");
    let locked = false;
    if (l2 && current) {
      const outcome = await lockOrWait(key, id, generation);
      if (outcome === "locked") locked = true;
      else if (outcome !== "load") return outcome.value;
    }
    return loadAndStore(key, id, loader, policy, current, readAt, generation, locked);
  }

  /** A fresh L2 value is returned (and kept in L1); an expired or outdated one is not. */
  function useEnvelope(key: CacheKey, id: string, envelope: Envelope, current: VersionStamps, readAt: number, generation: number): Resolved {
    if (!stampsEqual(envelope.stamps, current)) {
      metrics.count(key.namespace, "l2Invalidated");
      return { found: false };
    }
    if (readAt >= envelope.softExpiresAt) return { found: false };
    const decoded = decodeEnvelope(envelope);
    if (!decoded.found) return decoded;
    metrics.count(key.namespace, "l2Hits");
    if (decoded.value === null) metrics.count(key.namespace, "negativeHits");
    if (follower.generation() === generation) {
      l1.set(id, { namespace: key.namespace, tags: key.tags ?? [], value: decoded.value, expiresAt: envelope.softExpiresAt, confirmedAt: readAt, bytes: envelope.payload.length });
    }
    return decoded;
  }

  function decodeEnvelope(envelope: Envelope): Resolved {
    if (envelope.negative) return { found: true, value: null };
    try {
      return { found: true, value: deepFreeze(decodeValue(envelope.payload)) };
    } catch {
      return { found: false };
    }
  }

  /**
   * Across instances, one loads a missing key and the others wait (briefly) for its result
   * instead of all hitting the source at once. Any Redis trouble: just load.
   */
  async function lockOrWait(key: CacheKey, id: string, generation: number): Promise<"locked" | "load" | { value: unknown }> {
    try {
      if (await l2!.tryLock(key, lockTtlMs, randomUUID())) return "locked";
      metrics.countGlobal("lockWaits");
      const deadline = Date.now() + lockWaitMs;
      while (Date.now() < deadline) {
        await sleep(lockPollMs);
        const read = await l2!.read(key);
        if (!read.envelope) continue;
        const hit = useEnvelope(key, id, read.envelope, read.current, clock.now(), generation);
        if (hit.found) return { value: hit.value };
      }
    } catch {
      // Fall through: the caller loads.
    }
    return "load";
  }

  async function loadAndStore(key: CacheKey, id: string, loader: Loader<unknown>, policy: CachePolicy, current: VersionStamps | null, readAt: number, generation: number, locked: boolean): Promise<unknown> {
    const ns = key.namespace;
    const started = performance.now();
    let loaded: unknown;
    try {
      loaded = await loader();
    } catch (error) {
      metrics.count(ns, "loadErrors");
      if (locked) void l2!.unlock(key).catch(() => {});
      throw error;
    } finally {
      metrics.count(ns, "loads");
      metrics.loaderLatency(ns, performance.now() - started);
    }
    const negative = loaded === null || loaded === undefined;
    const ttlMs = negative ? policy.negativeTtlMs : policy.ttlMs;
    let payload = "";
    let value: unknown = null;
    if (!negative) {
      try {
        payload = encodeValue(loaded);
      } catch (error) {
        if (!(error instanceof CacheSerializationError)) throw error;
        return notCached(key, loaded, locked, { reason: "unserialisable", detail: error.message });
      }
      if (Buffer.byteLength(payload, "utf8") > maxValueBytes) return notCached(key, loaded, locked, { reason: "too-large", bytes: Buffer.byteLength(payload, "utf8"), limit: maxValueBytes });
      value = deepFreeze(decodeValue(payload));
    }
    if (ttlMs === 0) {
      if (locked) void l2!.unlock(key).catch(() => {});
      return value;
    }
    const now = clock.now();
    if (follower.generation() === generation) {
      l1.set(id, { namespace: ns, tags: key.tags ?? [], value, expiresAt: now + ttlMs, confirmedAt: readAt, bytes: payload.length });
    }
    if (l2 && current) {
      const stale = negative ? 0 : policy.staleWhileRevalidateMs;
      const envelope: Envelope = { softExpiresAt: now + ttlMs, hardExpiresAt: now + ttlMs + stale, stamps: current, negative, payload };
      await l2.write(key, envelope, ttlMs + stale, locked).catch(() => {});
    }
    return value;
  }

  function notCached(key: CacheKey, value: unknown, locked: boolean, fields: Record<string, unknown>): unknown {
    metrics.count(key.namespace, "notCached");
    log.warn("cache_value_not_cached", { namespace: key.namespace, ...fields });
    if (locked) void l2!.unlock(key).catch(() => {});
    return value;
  }

  /** An expired L2 value was served; one instance (whoever takes the lock) reloads it. */
  function refreshInBackground(key: CacheKey, id: string, loader: Loader<unknown>, policy: CachePolicy, current: VersionStamps): void {
    if (refreshing.has(id)) return;
    refreshing.add(id);
    const job = (async () => {
      const readAt = clock.now();
      const generation = follower.generation();
      if (!(await l2!.tryLock(key, lockTtlMs, randomUUID()))) return;
      metrics.countGlobal("backgroundRefreshes");
      await loadAndStore(key, id, loader, policy, current, readAt, generation, true);
    })()
      .catch(() => log.warn("cache_refresh_failed", { namespace: key.namespace }))
      .finally(() => {
        refreshing.delete(id);
        background.delete(job);
      });
    background.add(job);
  }

  /**
   * Applies to this L1 at once and to Redis (L2 and every other instance's L1) when it answers.
   * Never throws: `propagated: false` means Redis was configured but did not take it (it is
   * retried before the next sync); callers that must not lose it (triggers) rethrow.
   */
  async function invalidate(targets: InvalidationTargets): Promise<{ propagated: boolean }> {
    targets.keys?.forEach(assertKey);
    targets.tags?.forEach(assertTag);
    targets.namespaces?.forEach(assertNamespace);
    l1.invalidate(targets);
    follower.bump();
    metrics.countGlobal("invalidations");
    if (!l2) return { propagated: false };
    try {
      await l2.invalidate(targets, versionTtlMs);
      return { propagated: true };
    } catch (error) {
      metrics.countGlobal("invalidationFailures");
      outbox.add(targets);
      log.warn("cache_invalidation_failed", { keys: targets.keys?.length ?? 0, tags: targets.tags?.length ?? 0, namespaces: targets.namespaces?.length ?? 0, error: error instanceof Error ? error.message : String(error) });
      return { propagated: false };
    }
  }

  async function pushOutbox(): Promise<void> {
    if (!l2 || outbox.isEmpty()) return;
    const pending = outbox.take();
    try {
      await l2.invalidate(pending, versionTtlMs);
    } catch (error) {
      outbox.add(pending);
      throw error;
    }
  }

  return {
    getOrLoad,
    invalidate,
    invalidateKey: (key: Pick<CacheKey, "namespace" | "id">) => invalidate({ keys: [key] }),
    invalidateTag: (tag: string) => invalidate({ tags: [tag] }),
    invalidateNamespace: (namespace: string) => invalidate({ namespaces: [namespace] }),
    metrics(): CacheMetricsSnapshot {
      return { ...metrics.snapshot(), l1: l1.stats(), redis: guard.state() };
    },
    resetMetrics: () => metrics.reset(),
    /** Resolves once background refreshes have settled (tests, graceful shutdown). */
    async idle(): Promise<void> {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
    policies,
    stalenessBoundMs,
    /** Whether Redis is configured at all (not whether it is up). */
    hasL2: l2 !== null,
  };
}
