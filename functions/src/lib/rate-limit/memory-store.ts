import { LRUCache } from "lru-cache";
import type { LimitStore, StoreCheck, StoreResult } from "./store";
import type { WindowState } from "./types";

type Counter = { start: number; current: number; previous: number };

/**
 * The per-instance limiter used while Redis does not answer. Memory is bounded twice: a fixed
 * number of identities (LRU) and O(1) per window (a sliding-window counter: the previous fixed
 * window weighted by its overlap plus the current one), trading exactness for a hard cap. Limits
 * then hold per instance only, which is what "fail open" means here.
 */
export function createMemoryStore(options: { maxEntries: number }): LimitStore & { clear(): void; readonly size: number } {
  const cache = new LRUCache<string, Counter[]>({ max: options.maxEntries });
  return {
    async check(request: StoreCheck): Promise<StoreResult> {
      const { now } = request;
      const key = `${request.bucket}|${request.idKey}`;
      const counters = cache.get(key) ?? request.windows.map((w) => ({ start: now - (now % w.windowMs), current: 0, previous: 0 }));
      const estimates = request.windows.map((w, i) => {
        const counter = roll(counters[i] ?? { start: now - (now % w.windowMs), current: 0, previous: 0 }, now, w.windowMs);
        counters[i] = counter;
        const overlap = 1 - (now - counter.start) / w.windowMs;
        return counter.previous * overlap + counter.current;
      });
      const allowed = request.mode === "charge" || request.windows.every((w, i) => (estimates[i] ?? 0) + request.cost <= w.limit);
      let retryAfterMs = 0;
      const windows: WindowState[] = request.windows.map((w, i) => {
        const counter = counters[i] as Counter;
        const used = (estimates[i] ?? 0) + (allowed ? request.cost : 0);
        if (allowed) counter.current += request.cost;
        else if (used + request.cost > w.limit) retryAfterMs = Math.max(retryAfterMs, counter.start + w.windowMs - now);
        return { ...w, remaining: Math.max(0, Math.floor(w.limit - used)), resetAt: counter.start + w.windowMs };
      });
      cache.set(key, counters);
      return { status: allowed ? "allowed" : "limited", now, retryAfterMs, challengeTriggered: false, windows };
    },
    clear: () => cache.clear(),
    get size() {
      return cache.size;
    },
  };
}

function roll(counter: Counter, now: number, windowMs: number): Counter {
  const start = now - (now % windowMs);
  if (start === counter.start) return counter;
  const previous = start - counter.start === windowMs ? counter.current : 0;
  return { start, current: 0, previous };
}
