import { createHash } from "node:crypto";
import type { Clock } from "../clock";
import { logger as defaultLogger, type Logger } from "../logging";
import { createAccessList } from "./access-lists";
import { createBlockCache, type CachedBlock } from "./block-cache";
import { rejectingChallengeVerifier, type ChallengeVerifier } from "./challenge";
import { ipSubject, normaliseIp } from "./client-ip";
import { identityKey, rateLimitKeys } from "./keys";
import { createMemoryStore } from "./memory-store";
import { createRateLimitMetrics, type RateLimitMetrics } from "./metrics";
import { policyOf, type RateLimitConfig } from "./policies";
import { createRedisGuard } from "./redis-guard";
import type { RedisStore } from "./redis-store";
import type { FailureSettings, FailureSubject, LimitStore, StoreCheck, StoreResult } from "./store";
import type { Decision, Identity, LimitRequest, Tier, WindowLimit } from "./types";
import type { LoadMonitor } from "../load-monitor";

export type TierResolver = (identity: Identity) => Promise<Tier | undefined>;

export type RateLimiterDeps = {
  config: RateLimitConfig;
  /** The Redis store, or null when no Redis is configured (in-memory limits only). */
  store: RedisStore | null;
  clock: Clock;
  /** Tier of an identity that did not bring one. @default free (users, keys), anonymous (IPs) */
  resolveTier?: TierResolver;
  verifier?: ChallengeVerifier;
  metrics?: RateLimitMetrics;
  logger?: Logger;
  /** The per-instance limiter used when Redis fails. @default memory store sized by config */
  fallback?: LimitStore;
  /**
   * This instance's saturation. When Redis gives no answer (timeout, error, or skipped in the
   * retry interval after one) while this instance is saturated, the request is shed (503
   * `overloaded`, Retry-After) instead of decided by the per-instance fallback: a busy instance
   * would otherwise turn the global limit into a per-instance one. Absent: never sheds.
   */
  load?: Pick<LoadMonitor, "saturated">;
};

/** How long a shed client waits: long enough for the burst to pass, short enough to feel like a hiccup. */
const SHED_RETRY_AFTER_MS = 1_000;

export type FailureKind = "authentication" | "validation";

/** The policy that limits challenge verifications (lib/rate-limit/policies.ts). */
export const CHALLENGE_POLICY = "challenge";

/** What counting a failure led to (decided at `at`); `reason` names whose ban it is when `banned`. */
export type FailureOutcome = { banned: boolean; retryAfterMs: number; at: number; reason?: "ip_banned" | "identity_banned" };

/**
 * Decides requests. Order: deny list, allow list, in-memory refusals (no Redis), then one Redis
 * round trip for IP and identity bans + challenge + override + every window; on a Redis timeout or error the
 * policy's fail mode decides between the per-instance fallback and refusing.
 */
export function createRateLimiter(deps: RateLimiterDeps) {
  const { config, store, clock } = deps;
  const log = deps.logger ?? defaultLogger;
  const metrics = deps.metrics ?? createRateLimitMetrics();
  const verifier = deps.verifier ?? rejectingChallengeVerifier;
  const allow = createAccessList(config.allow);
  const deny = createAccessList(config.deny);
  const blocks = createBlockCache(config.blockCache);
  const fallback = deps.fallback ?? createMemoryStore(config.fallback);
  const guard = createRedisGuard({ ...config.redis, clock });

  async function tierOf(identity: Identity): Promise<Tier> {
    if (identity.tier) return identity.tier;
    if (identity.kind === "ip") return "anonymous";
    try {
      return (await deps.resolveTier?.(identity)) ?? "free";
    } catch (error) {
      log.warn("rate_limit_tier_unresolved", { kind: identity.kind, error: error instanceof Error ? error.message : String(error) });
      return "free";
    }
  }

  function windowsFor(idKey: string, policyWindows: WindowLimit[] | undefined, tier: Tier): WindowLimit[] {
    return config.overrides[idKey] ?? policyWindows ?? config.tiers[tier] ?? config.tiers.free;
  }

  function refused(policy: string, reason: Decision["reason"], at: number, retryAfterMs: number, source: Decision["source"], windows: Decision["windows"] = []): Decision {
    return { allowed: false, policy, reason, windows, retryAfterMs: Math.max(0, retryAfterMs), source, at };
  }

  function fromCache(policy: string, block: CachedBlock, now: number): Decision {
    metrics.increment(policy, "cache_hit");
    metrics.increment(policy, outcomeOf(block.reason));
    return refused(policy, block.reason, now, block.until - now, "memory-cache", block.windows);
  }

  async function decide(request: LimitRequest, mode: StoreCheck["mode"], ignoreChallenge = false): Promise<Decision> {
    const policyName = request.policy;
    const policy = policyOf(config, policyName);
    const cost = request.cost ?? policy.cost;
    const now = clock.now();
    const ip = request.ip ? normaliseIp(request.ip) : undefined;
    const subject = ip ? ipSubject(ip) : undefined;
    const idKey = identityKey(request.identity);
    const limitKey = `lim|${policy.bucket}|${idKey}`;

    if (deny.matches(request.identity, ip)) {
      metrics.increment(policyName, "denied");
      return refused(policyName, "denied", now, 0, "list");
    }
    if (allow.matches(request.identity, ip)) {
      metrics.increment(policyName, "bypassed");
      return { allowed: true, policy: policyName, windows: [], retryAfterMs: 0, source: "list", at: now, bypassed: true };
    }
    if (mode === "check") {
      const cached =
        (subject && blocks.get(`ban|${subject}`, Infinity, now)) ||
        blocks.get(`iban|${idKey}`, Infinity, now) ||
        (!ignoreChallenge && blocks.get(`chal|${idKey}`, Infinity, now)) ||
        blocks.get(limitKey, cost, now);
      if (cached) return fromCache(policyName, cached, now);
    }

    const windows = windowsFor(idKey, policy.windows, await tierOf(request.identity));
    const check: StoreCheck = ignoreChallenge
      ? { idKey, ip: subject, bucket: policy.bucket, cost, windows, mode, now, challenge: { ...config.challenge, violations: 0 }, ignoreChallenge }
      : { idKey, ip: subject, bucket: policy.bucket, cost, windows, mode, now, challenge: config.challenge };

    let result: StoreResult;
    let source: Decision["source"] = "redis";
    const attempt = store ? await guard.run(() => store.check(check)) : ({ ok: false, reason: "skipped" } as const);
    if (attempt.ok) {
      result = attempt.value;
    } else {
      if (store) {
        if (attempt.reason !== "skipped") log.warn("rate_limit_redis_unavailable", { policy: policyName, reason: attempt.reason });
        if (deps.load?.saturated()) {
          metrics.increment(policyName, "shed");
          return refused(policyName, "overloaded", now, SHED_RETRY_AFTER_MS, "fallback");
        }
        if (policy.failMode === "closed") {
          metrics.increment(policyName, "unavailable");
          return refused(policyName, "unavailable", now, config.redis.retryIntervalMs, "fallback");
        }
      }
      metrics.increment(policyName, "fallback");
      result = await fallback.check(check);
      source = "fallback";
    }

    const at = result.now;
    switch (result.status) {
      case "allowed":
        metrics.increment(policyName, "allowed");
        return { allowed: true, policy: policyName, windows: result.windows, retryAfterMs: 0, source, at, ...(result.entry ? { entry: result.entry } : {}) };
      case "banned":
        metrics.increment(policyName, "banned");
        if (subject) blocks.set(`ban|${subject}`, { reason: "ip_banned", until: at + result.retryAfterMs, minCost: 0, windows: [] }, now);
        return refused(policyName, "ip_banned", at, result.retryAfterMs, source);
      case "identity_banned":
        metrics.increment(policyName, "banned");
        blocks.set(`iban|${idKey}`, { reason: "identity_banned", until: at + result.retryAfterMs, minCost: 0, windows: [] }, now);
        return refused(policyName, "identity_banned", at, result.retryAfterMs, source);
      case "challenge":
        metrics.increment(policyName, "challenged");
        blocks.set(`chal|${idKey}`, { reason: "challenge_required", until: at + result.retryAfterMs, minCost: 0, windows: [] }, now);
        return refused(policyName, "challenge_required", at, result.retryAfterMs, source);
      case "limited": {
        metrics.increment(policyName, "limited");
        if (result.challengeTriggered) {
          metrics.increment(policyName, "challenged");
          log.warn("rate_limit_challenge_required", { policy: policyName, kind: request.identity.kind, identity: hashed(idKey) });
          blocks.set(`chal|${idKey}`, { reason: "challenge_required", until: at + config.challenge.ttlMs, minCost: 0, windows: [] }, now);
        }
        if (source === "redis") blocks.set(limitKey, { reason: "rate_limited", until: at + result.retryAfterMs, minCost: cost, windows: result.windows }, now);
        const decision = refused(policyName, "rate_limited", at, result.retryAfterMs, source, result.windows);
        return result.challengeTriggered ? { ...decision, challengeTriggered: true } : decision;
      }
    }
  }

  async function countFailure(
    subject: FailureSubject,
    blockKey: string,
    reason: "ip_banned" | "identity_banned",
    settings: FailureSettings,
    label: string,
    kind: FailureKind,
    logFields: Record<string, string>,
  ): Promise<FailureOutcome> {
    const now = clock.now();
    const cached = blocks.get(blockKey, Infinity, now);
    if (cached) return { banned: true, retryAfterMs: cached.until - now, at: now, reason };
    if (!store) return { banned: false, retryAfterMs: 0, at: clock.now() };
    const attempt = await guard.run(() => store.recordFailure(subject, now, settings));
    if (!attempt.ok) {
      metrics.increment(label, "failure_unrecorded");
      return { banned: false, retryAfterMs: 0, at: clock.now() };
    }
    metrics.increment(label, "failure_recorded");
    const result = attempt.value;
    if (result.status === "counted") return { banned: false, retryAfterMs: 0, at: clock.now() };
    blocks.set(blockKey, { reason, until: now + result.banMs, minCost: 0, windows: [] }, now);
    if (result.status === "banned") {
      metrics.increment(label, "ban_started");
      const event = reason === "ip_banned" ? "rate_limit_ip_banned" : "rate_limit_identity_banned";
      log.warn(event, { ...logFields, level: result.level, banSeconds: Math.ceil(result.banMs / 1000), failures: result.failures, kind });
    }
    return { banned: true, retryAfterMs: result.banMs, at: now, reason };
  }

  const limiter = {
    config,
    metrics,

    /**
     * What this instance already knows refuses a request from `ip`, in memory and without Redis:
     * the deny list and a ban this instance has seen. Asked before any costly work (an API key
     * lookup), so a banned address costs nothing; a ban set elsewhere is learnt by this instance
     * from its next full decision and then served from here until it ends (or `blockCache.maxMs`).
     */
    screen(args: { ip: string | undefined; policy: string }): Decision | undefined {
      const ip = args.ip ? normaliseIp(args.ip) : undefined;
      if (!ip) return undefined;
      const now = clock.now();
      if (deny.matches(undefined, ip)) {
        metrics.increment(args.policy, "denied");
        return refused(args.policy, "denied", now, 0, "list");
      }
      if (allow.matches(undefined, ip)) return undefined;
      const cached = blocks.get(`ban|${ipSubject(ip)}`, Infinity, now);
      return cached ? fromCache(args.policy, cached, now) : undefined;
    },

    /** Decides one request. Never throws for a Redis outage: the fail mode answers instead. */
    async limit(request: LimitRequest & { challengeToken?: string }): Promise<Decision> {
      if (request.budget) return decide(request, "check", true);
      const decision = await decide(request, "check");
      if (decision.reason !== "challenge_required" || !request.challengeToken) return decision;
      const solved = await limiter.verifyChallenge({ identity: request.identity, ip: request.ip, token: request.challengeToken });
      if (solved.refusal) return solved.refusal;
      return solved.verified ? decide(request, "check") : decision;
    },

    /**
     * Records cost known only afterwards (e.g. LLM tokens beyond the estimate) without refusing:
     * it counts against the following requests.
     */
    async charge(request: LimitRequest & { cost: number }): Promise<Decision> {
      return decide(request, "charge");
    },

    /**
     * Settles an admitted request at the cost it turned out to have (a reservation refunded or
     * topped up): its log entry keeps its admission time and takes the new cost, atomically. Never
     * refuses and never throws. Fail-open by design: when the request was decided without Redis
     * (no entry) a refund is skipped (the run keeps its reservation) and an excess is charged as
     * a new cost; when Redis fails now, the settlement is logged and dropped.
     */
    async settle(args: { identity: Identity; policy: string; admitted: Decision; reserved: number; cost: number }): Promise<void> {
      const { admitted } = args;
      if (!admitted.allowed || admitted.bypassed) return;
      const cost = Math.max(0, Math.ceil(args.cost));
      const excess = cost - args.reserved;
      if (excess === 0) return;
      const entry = admitted.entry;
      if (!entry || !store) {
        if (excess > 0) await decide({ identity: args.identity, policy: args.policy, cost: excess }, "charge");
        return;
      }
      const idKey = identityKey(args.identity);
      const bucket = policyOf(config, args.policy).bucket;
      const attempt = await guard.run(() => store.adjust({ idKey, bucket, entry, cost }));
      if (!attempt.ok) {
        log.warn("rate_limit_settle_dropped", { policy: args.policy, reason: attempt.reason, excess });
        return;
      }
      // A refund frees capacity that a refusal cached here may still claim; this cache must never refuse what Redis would admit.
      if (excess < 0) blocks.delete(`lim|${bucket}|${idKey}`);
    },

    /**
     * Counts a failed request. An authenticated `identity` (a user, an API key) carries its own
     * failures and its own ban, which refuses it alone; only anonymous failures (no identity:
     * missing or bad credentials) count against the client IP, whose ban refuses everyone behind
     * it. Signed-in users behind one NAT, CGNAT or VPN therefore cannot ban each other.
     */
    async recordFailure(args: { ip: string | undefined; identity?: Identity; kind: FailureKind; policy?: string }): Promise<FailureOutcome> {
      const label = args.policy ?? "failures";
      const ip = args.ip ? normaliseIp(args.ip) : undefined;
      const identity = args.identity && args.identity.kind !== "ip" ? args.identity : undefined;
      if (identity) {
        if (allow.matches(identity, undefined)) return { banned: false, retryAfterMs: 0, at: clock.now() };
        const idKey = identityKey(identity);
        return countFailure({ idKey }, `iban|${idKey}`, "identity_banned", config.identityFailures, label, args.kind, { kind: identity.kind, identity: hashed(idKey) });
      }
      if (!ip || allow.matches(undefined, ip)) return { banned: false, retryAfterMs: 0, at: clock.now() };
      const subject = ipSubject(ip);
      return countFailure({ ip: subject }, `ban|${subject}`, "ip_banned", config.failures, label, args.kind, { ipHash: hashed(subject) });
    },

    /**
     * Clears "challenge required" for an identity when the verifier accepts the token. The
     * verifier is billed per call, so it is only called once the request passed a gate: the deny
     * list, the IP's and the identity's bans, and the `challenge` policy's limit on attempts per
     * identity (decided as if no challenge were pending). A refused gate comes back as `refusal`.
     */
    async verifyChallenge(args: { identity: Identity; ip?: string | undefined; token: string }): Promise<{ verified: boolean; refusal?: Decision }> {
      const gate = await decide({ identity: args.identity, policy: CHALLENGE_POLICY, ...(args.ip ? { ip: args.ip } : {}) }, "check", true);
      if (!gate.allowed) return { verified: false, refusal: gate };
      const idKey = identityKey(args.identity);
      const ok = await verifier.verify(args.token, { identityKey: idKey, ...(args.ip ? { ip: args.ip } : {}) });
      log.info("rate_limit_challenge_verified", { identity: hashed(idKey), ok });
      if (!ok) return { verified: false };
      blocks.delete(`chal|${idKey}`);
      if (store) await store.deleteKeys([rateLimitKeys.challenge(idKey), rateLimitKeys.violations(idKey)]);
      return { verified: true };
    },

    /** Forgets this instance's in-memory refusals for an identity and IP (after an unban/reset). */
    forget(args: { identity?: Identity; ip?: string }): void {
      if (args.identity) {
        const idKey = identityKey(args.identity);
        blocks.delete(`chal|${idKey}`);
        blocks.delete(`iban|${idKey}`);
        for (const policy of Object.values(config.policies)) blocks.delete(`lim|${policy.bucket}|${idKey}`);
      }
      const ip = args.ip ? normaliseIp(args.ip) : undefined;
      if (ip) blocks.delete(`ban|${ipSubject(ip)}`);
    },

    get redisHealthy(): boolean {
      return guard.healthy;
    },
  };
  return limiter;
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

function outcomeOf(reason: CachedBlock["reason"]) {
  return reason === "ip_banned" || reason === "identity_banned" ? "banned" : reason === "challenge_required" ? "challenged" : reason === "denied" ? "denied" : "limited";
}

/** Identities and IPs are logged as a short hash: enough to correlate, not personal data. */
export function hashed(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 16);
}
