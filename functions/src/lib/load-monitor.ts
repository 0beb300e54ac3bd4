import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import type { Clock } from "./clock";

/**
 * Whether this instance is saturated: how late its event loop ran timers (p99) over the last
 * window. One instance serves up to 80 concurrent requests; when the loop lags by more than the
 * bounds it puts on its dependencies, answering more work only makes every request slower, and a
 * limiter that cannot reach Redis in time would admit requests unlimited. The limiter sheds them
 * instead (503 with Retry-After), so the platform routes the retry to a less busy instance.
 */
export type LoadMonitor = {
  saturated(): boolean;
  /** The loop delay the decision used, ms: p99 over the current window and the one before it. */
  loopDelayMs(): number;
};

/** Above the Redis bound (250 ms) a dependency timeout says more about this instance than about Redis. */
export const DEFAULT_MAX_LOOP_DELAY_MS = 250;

export function createLoadMonitor(options: { clock: Clock; maxLoopDelayMs?: number; windowMs?: number }): LoadMonitor {
  const maxLoopDelayMs = options.maxLoopDelayMs ?? DEFAULT_MAX_LOOP_DELAY_MS;
  const windowMs = options.windowMs ?? 1_000;
  let histogram: IntervalHistogram | undefined;
  let windowStart = 0;
  let previousMs = 0;

  /** Started at first use, so instances (and tests) that never ask pay nothing. */
  function current(): IntervalHistogram {
    if (!histogram) {
      histogram = monitorEventLoopDelay({ resolution: 10 });
      histogram.enable();
      windowStart = options.clock.now();
    }
    return histogram;
  }

  function loopDelayMs(): number {
    const h = current();
    const now = options.clock.now();
    if (now - windowStart >= windowMs) {
      previousMs = h.count > 0 ? h.percentile(99) / 1e6 : 0;
      h.reset();
      windowStart = now;
    }
    // Until the window has a sample, the last full window speaks for it.
    return h.count > 0 ? Math.max(h.percentile(99) / 1e6, previousMs) : previousMs;
  }

  return {
    saturated: () => loopDelayMs() > maxLoopDelayMs,
    loopDelayMs,
  };
}
