import type { Clock } from "../clock";
import { ioTimeout } from "../io-timeout";

/**
 * Every Redis call of the cache goes through here: it is cut off after `timeoutMs`, and after a
 * failure Redis is skipped for a cool-down that doubles on each further failure (up to
 * `maxCooldownMs`), so a dead Redis costs requests nothing. The first call after a cool-down is
 * the probe: success closes the breaker and the cache recovers by itself.
 *
 * The cache fails open on Redis: a skipped or failed call means "no L2", never a failed request.
 */
export type RedisGuardOptions = {
  clock: Clock;
  /** @default 250 */
  timeoutMs?: number;
  /** @default 1000 */
  cooldownMs?: number;
  /** @default 30000 */
  maxCooldownMs?: number;
  onFailure?: (error: unknown, consecutive: number) => void;
};

export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedisUnavailableError";
  }
}

export function createRedisGuard({ clock, timeoutMs = 250, cooldownMs = 1000, maxCooldownMs = 30_000, onFailure }: RedisGuardOptions) {
  let openUntil = 0;
  let failures = 0;

  async function call<T>(run: () => Promise<T>, options: { ignoreBreaker?: boolean } = {}): Promise<T> {
    if (!options.ignoreBreaker && clock.now() < openUntil) throw new RedisUnavailableError("Redis skipped: circuit open after recent failures.");
    let timer: { cancel(): void } | undefined;
    try {
      const attempt = run();
      // Bounds Redis, not this instance's backlog (lib/io-timeout.ts).
      const timeout = new Promise<never>((_, reject) => {
        timer = ioTimeout(timeoutMs, () => reject(new RedisUnavailableError(`Redis call timed out after ${timeoutMs} ms.`)));
      });
      attempt.catch(() => {});
      const result = await Promise.race([attempt, timeout]);
      failures = 0;
      openUntil = 0;
      return result;
    } catch (error) {
      failures += 1;
      openUntil = clock.now() + Math.min(maxCooldownMs, cooldownMs * 2 ** (failures - 1));
      onFailure?.(error, failures);
      throw error;
    } finally {
      timer?.cancel();
    }
  }

  return {
    call,
    /** Whether a call would be attempted now. */
    available: (): boolean => clock.now() >= openUntil,
    state: () => ({ open: clock.now() < openUntil, consecutiveFailures: failures }),
  };
}

export type RedisGuard = ReturnType<typeof createRedisGuard>;
