import type { Clock } from "../clock";
import type { CacheMetrics } from "./cache-metrics";
import type { L1Entry, L1Store } from "./l1-store";
import type { L2Store } from "./l2-store";

const PAGE = 500;
const MAX_PAGES = 4;

export type InvalidationFollowerOptions = {
  l1: L1Store;
  l2: L2Store | null;
  clock: Clock;
  metrics: CacheMetrics;
  /** The longest an L1 entry is served without being confirmed current. */
  stalenessBoundMs: number;
  /** Runs before each sync, e.g. to push invalidations that failed to reach Redis earlier. */
  beforeSync?: () => Promise<void>;
};

/**
 * Keeps this instance's L1 honest about invalidations made anywhere. Every invalidation is
 * appended to a Redis stream under a global sequence number; this follower replays the entries
 * it has not seen yet against L1, in one round trip per sync.
 *
 * The bound: an L1 entry is served only if it, or the last successful sync, started at most
 * `stalenessBoundMs` ago. A sync that started at `s` saw every invalidation committed before `s`,
 * so an invalidation committed at `T` stops being served by every instance from `T + bound` on.
 * When Redis is down or absent nothing syncs, and L1 degrades to a cache with a TTL of `bound`.
 *
 * `generation` changes whenever L1 may have lost entries to an invalidation; a read that began
 * under an older generation does not store its result in L1, so a value loaded before an
 * invalidation can never slip in after the invalidation was applied.
 */
export function createInvalidationFollower({ l1, l2, clock, metrics, stalenessBoundMs, beforeSync }: InvalidationFollowerOptions) {
  let lastId = "";
  let lastSeq = 0;
  let lastSyncStartedAt = Number.NEGATIVE_INFINITY;
  let generation = 0;
  let running: Promise<void> | undefined;

  function flush(counted = true): void {
    l1.clear();
    generation += 1;
    if (counted) metrics.countGlobal("l1Flushes");
  }

  async function follow(store: L2Store): Promise<void> {
    if (lastId === "") {
      // First contact: entries stored before now may have missed earlier invalidations.
      const { seq, entries } = await store.sync("", 1);
      lastSeq = seq;
      lastId = entries[0]?.id ?? "0-0";
      flush(false);
      return;
    }
    for (let page = 0; page < MAX_PAGES; page++) {
      const { seq, entries } = await store.sync(lastId, PAGE);
      if (seq < lastSeq) {
        // Redis lost its data (flush, failover): start over.
        lastId = "";
        lastSeq = 0;
        flush();
        return follow(store);
      }
      for (const entry of entries) {
        if (entry.seq !== lastSeq + 1) flush();
        l1.invalidate(entry.targets);
        lastSeq = entry.seq;
        lastId = entry.id;
      }
      if (entries.length > 0) generation += 1;
      if (entries.length < PAGE) {
        // Entries trimmed from the log before we read them: whatever they said, L1 forgets.
        if (seq > lastSeq) {
          flush();
          lastSeq = seq;
        }
        return;
      }
    }
    flush();
    lastId = "";
    lastSeq = 0;
  }

  async function syncOnce(store: L2Store): Promise<void> {
    const startedAt = clock.now();
    try {
      await beforeSync?.();
      await follow(store);
      lastSyncStartedAt = startedAt;
      metrics.countGlobal("syncs");
    } catch {
      metrics.countGlobal("syncFailures");
    }
  }

  /** Runs one sync, or joins the one under way. Never throws. */
  function sync(): Promise<void> {
    if (!l2) return Promise.resolve();
    if (!running) running = syncOnce(l2).finally(() => (running = undefined));
    return running;
  }

  return {
    sync,
    /** Starts a sync in the background once half the bound has passed, so readers rarely wait. */
    refreshAhead(now: number): void {
      if (l2 && !running && now - lastSyncStartedAt > stalenessBoundMs / 2) void sync();
    },
    isConfirmed(entry: L1Entry, now: number): boolean {
      return now - Math.max(entry.confirmedAt, lastSyncStartedAt) <= stalenessBoundMs;
    },
    generation: (): number => generation,
    /** Whether this instance has found its place in the log (or has no Redis to follow). */
    started: (): boolean => !l2 || lastId !== "",
    /** Local invalidations also end the right of in-flight reads to fill L1. */
    bump(): void {
      generation += 1;
    },
  };
}

export type InvalidationFollower = ReturnType<typeof createInvalidationFollower>;
