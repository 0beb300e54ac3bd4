import { randomUUID } from "node:crypto";
import { CHECK_SCRIPT, DELETE_SCRIPT, FAILURE_SCRIPT, MAX_WINDOWS, SET_OVERRIDE_SCRIPT, STATE_SCRIPT } from "./lua-scripts";
import { NO_IP, rateLimitKeys } from "./keys";
import { ADJUST_SCRIPT } from "./settle-script";
import { createScriptRunner, type ScriptRedis } from "./redis-script";
import type { FailureResult, FailureSettings, FailureSubject, LimitStore, StoreCheck, StoreResult, StoreStatus } from "./store";
import type { WindowLimit, WindowState } from "./types";

const STATUS: StoreStatus[] = ["allowed", "limited", "banned", "challenge", "identity_banned"];

export type IdentityState = {
  ban: { until: number; level: number } | null;
  challengeUntil: number | null;
  failures: number;
  override: WindowLimit[] | null;
  /** Cost used per bucket and window, in the order the buckets and windows were given. */
  usage: Array<{ bucket: string; windowMs: number; used: number }>;
};

/**
 * The Redis side of the limiter: every call is one EVALSHA through the `@upstash/redis` client.
 * State lives only in Redis, so limits hold across instances and restarts.
 */
export function createRedisStore(redis: ScriptRedis, ids: () => string = randomUUID) {
  const check = createScriptRunner(redis, CHECK_SCRIPT);
  const failure = createScriptRunner(redis, FAILURE_SCRIPT);
  const state = createScriptRunner(redis, STATE_SCRIPT);
  const del = createScriptRunner(redis, DELETE_SCRIPT);
  const setOverride = createScriptRunner(redis, SET_OVERRIDE_SCRIPT);
  const adjust = createScriptRunner(redis, ADJUST_SCRIPT);

  const store = {
    async check(request: StoreCheck): Promise<StoreResult> {
      const { idKey, bucket } = request;
      const keys = [
        rateLimitKeys.ban(request.ip ?? NO_IP),
        rateLimitKeys.identityBan(idKey),
        // A key never written stands in for the flag when the check must not see it.
        rateLimitKeys.challenge(request.ignoreChallenge ? NO_IP : idKey),
        rateLimitKeys.violations(idKey),
        rateLimitKeys.override(idKey),
        rateLimitKeys.meta(bucket, idKey),
        ...Array.from({ length: MAX_WINDOWS }, (_, i) => rateLimitKeys.window(bucket, idKey, i + 1)),
      ];
      const entry = ids();
      const args: Array<string | number> = [
        Math.floor(request.now),
        request.cost,
        entry,
        request.mode,
        request.challenge.violations,
        request.challenge.windowMs,
        request.challenge.ttlMs,
        request.windows.length,
        ...request.windows.flatMap((w) => [w.limit, w.windowMs]),
      ];
      const result = parseCheckReply(await check<unknown>(keys, args));
      return result.status === "allowed" ? { ...result, entry: { id: entry, cost: request.cost } } : result;
    },

    /** Sets the cost of an admitted entry (see ADJUST_SCRIPT); returns how many windows held it. */
    async adjust(args: { idKey: string; bucket: string; entry: { id: string; cost: number }; cost: number }): Promise<number> {
      const keys = [rateLimitKeys.meta(args.bucket, args.idKey), ...Array.from({ length: MAX_WINDOWS }, (_, i) => rateLimitKeys.window(args.bucket, args.idKey, i + 1))];
      return Number(await adjust<unknown>(keys, [args.entry.cost, args.entry.id, args.cost]));
    },

    /** One script for both subjects; only the keys (and the caller's settings) differ. */
    async recordFailure(subject: FailureSubject, now: number, settings: FailureSettings): Promise<FailureResult> {
      const keys = "ip" in subject ? [rateLimitKeys.failures(subject.ip), rateLimitKeys.ban(subject.ip)] : [rateLimitKeys.identityFailures(subject.idKey), rateLimitKeys.identityBan(subject.idKey)];
      const reply = numbers(
        await failure<unknown>(
          keys,
          [Math.floor(now), ids(), settings.threshold, settings.windowMs, settings.ladderResetMs, ...settings.banLadderMs],
        ),
      );
      const [status, banMs, level, failures] = reply;
      if (status === 1) return { status: "banned", banMs: banMs ?? 0, level: level ?? 1, failures: failures ?? 0 };
      if (status === 2) return { status: "already-banned", banMs: banMs ?? 0, level: level ?? 1 };
      return { status: "counted", failures: failures ?? 0 };
    },

    async state(args: { idKey: string; ip?: string; now: number; failureWindowMs: number; windows: Array<{ bucket: string; windowMs: number; index: number }> }): Promise<IdentityState> {
      const ip = args.ip ?? NO_IP;
      const keys = [
        rateLimitKeys.ban(ip),
        rateLimitKeys.challenge(args.idKey),
        rateLimitKeys.failures(ip),
        rateLimitKeys.override(args.idKey),
        ...args.windows.map((w) => rateLimitKeys.window(w.bucket, args.idKey, w.index)),
      ];
      const reply = await state<unknown[]>(keys, [Math.floor(args.now), args.failureWindowMs, ...args.windows.map((w) => w.windowMs)]);
      if (!Array.isArray(reply)) throw new Error("Unexpected rate-limit state reply.");
      const [banUntil, banLevel, challengeUntil, failures] = reply.slice(0, 4).map(Number);
      const override = String(reply[4] ?? "ov=").slice(3);
      return {
        ban: banUntil && banUntil > args.now ? { until: banUntil, level: banLevel ?? 0 } : null,
        challengeUntil: challengeUntil && challengeUntil > args.now ? challengeUntil : null,
        failures: failures ?? 0,
        override: override ? decodeOverride(override) : null,
        usage: args.windows.map((w, i) => ({ bucket: w.bucket, windowMs: w.windowMs, used: Number(reply[5 + i] ?? 0) })),
      };
    },

    async deleteKeys(keys: string[]): Promise<number> {
      if (keys.length === 0) return 0;
      return Number(await del<unknown>(keys, []));
    },

    async setOverride(idKey: string, windows: WindowLimit[], ttlMs = 0): Promise<void> {
      await setOverride<unknown>([rateLimitKeys.override(idKey)], [encodeOverride(windows), ttlMs]);
    },
  };
  return store satisfies LimitStore;
}

export type RedisStore = ReturnType<typeof createRedisStore>;

/** Overrides are stored as `limit:windowMs,limit:windowMs` so Lua can read them with one gmatch. */
export function encodeOverride(windows: WindowLimit[]): string {
  return windows.map((w) => `${w.limit}:${w.windowMs}`).join(",");
}

export function decodeOverride(value: string): WindowLimit[] {
  return [...value.matchAll(/(\d+):(\d+)/g)].map((m) => ({ limit: Number(m[1]), windowMs: Number(m[2]) }));
}

export function parseCheckReply(reply: unknown): StoreResult {
  const values = numbers(reply);
  const [status = 0, now = 0, retryAfterMs = 0, triggered = 0, count = 0] = values;
  const windows: WindowState[] = [];
  for (let i = 0; i < count; i++) {
    const [limit = 0, windowMs = 0, remaining = 0, resetAt = now] = values.slice(5 + i * 4, 9 + i * 4);
    windows.push({ limit, windowMs, remaining, resetAt });
  }
  return { status: STATUS[status] ?? "limited", now, retryAfterMs: Math.max(0, retryAfterMs), challengeTriggered: triggered === 1, windows };
}

function numbers(reply: unknown): number[] {
  if (!Array.isArray(reply)) throw new Error("Unexpected rate-limit script reply.");
  return reply.map((value) => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new Error("Unexpected rate-limit script reply.");
    return n;
  });
}
