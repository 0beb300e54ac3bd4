import type { Clock } from "../clock";
import { ioTimeout } from "../io-timeout";

export type GuardedResult<T> = { ok: true; value: T } | { ok: false; reason: "timeout" | "error" | "skipped"; error?: unknown };

/**
 * Bounds every Redis call: a call slower than `timeoutMs` is abandoned (the caller falls back at
 * once; nothing waits on a dead connection). After a failure Redis is skipped for
 * `retryIntervalMs`, then exactly one request probes it while the others keep using the
 * fallback; the first answer puts Redis back in use.
 */
export function createRedisGuard(options: { timeoutMs: number; retryIntervalMs: number; clock: Clock }) {
  let downUntil = 0;
  let probing = false;

  return {
    async run<T>(call: () => Promise<T>): Promise<GuardedResult<T>> {
      const now = options.clock.now();
      const isProbe = downUntil > 0;
      if (isProbe && (now < downUntil || probing)) return { ok: false, reason: "skipped" };
      if (isProbe) probing = true;
      let timer: { cancel(): void } | undefined;
      try {
        // Bounds Redis, not this instance's backlog (lib/io-timeout.ts).
        const timeout = new Promise<"timeout">((resolve) => {
          timer = ioTimeout(options.timeoutMs, () => resolve("timeout"));
        });
        const outcome = await Promise.race([call().then((value) => ({ value })), timeout]);
        if (outcome === "timeout") {
          downUntil = options.clock.now() + options.retryIntervalMs;
          return { ok: false, reason: "timeout" };
        }
        downUntil = 0;
        return { ok: true, value: outcome.value };
      } catch (error) {
        downUntil = options.clock.now() + options.retryIntervalMs;
        return { ok: false, reason: "error", error };
      } finally {
        timer?.cancel();
        if (isProbe) probing = false;
      }
    },
    get healthy(): boolean {
      return downUntil === 0;
    },
  };
}

export type RedisGuard = ReturnType<typeof createRedisGuard>;
