import type { Clock } from "../clock";
import { logger as defaultLogger, type Logger } from "../logging";
import { ipSubject, normaliseIp } from "./client-ip";
import { identityKey, rateLimitKeys } from "./keys";
import { hashed, type RateLimiter } from "./limiter";
import { MAX_WINDOWS } from "./lua-scripts";
import type { RateLimitConfig } from "./policies";
import type { IdentityState, RedisStore } from "./redis-store";
import type { Identity, WindowLimit } from "./types";

/**
 * Service functions behind the admin API: read an identity's state, unban an IP, reset an
 * identity's windows and challenge, set or clear a per-identity override. They act on Redis (all
 * instances) and on this instance's memory; other instances drop cached refusals within
 * `blockCache.maxMs`.
 */
export function createRateLimitOperations(deps: { store: RedisStore; limiter: Pick<RateLimiter, "forget">; config: RateLimitConfig; clock: Clock; logger?: Logger }) {
  const { store, config, clock } = deps;
  const log = deps.logger ?? defaultLogger;
  const buckets = [...new Set(Object.values(config.policies).map((p) => p.bucket))];
  const subjectOf = (ip: string | undefined) => {
    const normalised = ip ? normaliseIp(ip) : undefined;
    if (ip && !normalised) throw new Error(`Not an IP address: ${ip}`);
    return normalised ? ipSubject(normalised) : undefined;
  };

  return {
    async getState(identity: Identity, ip?: string): Promise<IdentityState & { identity: string }> {
      const idKey = identityKey(identity);
      const tierWindows = config.overrides[idKey] ?? config.tiers[identity.tier ?? (identity.kind === "ip" ? "anonymous" : "free")];
      const windows = buckets.flatMap((bucket) => tierWindows.map((w, i) => ({ bucket, windowMs: w.windowMs, index: i + 1 })));
      const state = await store.state({ idKey, ip: subjectOf(ip), now: clock.now(), failureWindowMs: config.failures.windowMs, windows });
      return { identity: idKey, ...state };
    },

    async unban(ip: string): Promise<boolean> {
      const subject = subjectOf(ip) as string;
      const removed = await store.deleteKeys([rateLimitKeys.ban(subject), rateLimitKeys.failures(subject)]);
      deps.limiter.forget({ ip });
      log.info("rate_limit_ip_unbanned", { ipHash: hashed(subject) });
      return removed > 0;
    },

    /** Empties the identity's windows, violations and failures; lifts "challenge required" and its own ban. */
    async reset(identity: Identity): Promise<void> {
      const idKey = identityKey(identity);
      const keys = buckets.flatMap((bucket) => [
        rateLimitKeys.meta(bucket, idKey),
        ...Array.from({ length: MAX_WINDOWS }, (_, i) => rateLimitKeys.window(bucket, idKey, i + 1)),
      ]);
      await store.deleteKeys([...keys, rateLimitKeys.violations(idKey), rateLimitKeys.challenge(idKey), rateLimitKeys.identityBan(idKey), rateLimitKeys.identityFailures(idKey)]);
      deps.limiter.forget({ identity });
      log.info("rate_limit_identity_reset", { identity: hashed(idKey) });
    },

    /** Replaces the identity's limits (all policies) until cleared or `ttlMs` passes. */
    async setOverride(identity: Identity, windows: WindowLimit[], ttlMs?: number): Promise<void> {
      if (windows.length === 0 || windows.length > MAX_WINDOWS) throw new Error(`An override has 1 to ${MAX_WINDOWS} windows.`);
      for (const w of windows) {
        if (!Number.isInteger(w.limit) || w.limit <= 0 || !Number.isInteger(w.windowMs) || w.windowMs <= 0) throw new Error("Override limits and windows are positive integers.");
      }
      await store.setOverride(identityKey(identity), windows, ttlMs ?? 0);
      deps.limiter.forget({ identity });
      log.info("rate_limit_override_set", { identity: hashed(identityKey(identity)), windows: windows.length });
    },

    async clearOverride(identity: Identity): Promise<void> {
      await store.deleteKeys([rateLimitKeys.override(identityKey(identity))]);
      deps.limiter.forget({ identity });
    },
  };
}

export type RateLimitOperations = ReturnType<typeof createRateLimitOperations>;
