import { manualClock } from "../clock";
import { createTestChallengeVerifier } from "./challenge";
import { createRateLimiter } from "./limiter";
import { resolveRateLimitConfig } from "./policies";
import type { RedisStore } from "./redis-store";
import type { StoreCheck, StoreResult } from "./store";

const silent = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };

function fakeStore(answer: (check: StoreCheck) => Promise<StoreResult>) {
  const check = jest.fn(answer);
  const store = {
    check,
    recordFailure: jest.fn(),
    state: jest.fn(),
    deleteKeys: jest.fn(async () => 1),
    setOverride: jest.fn(),
  } as unknown as RedisStore;
  return { store, check };
}

const allowedResult = (check: StoreCheck): StoreResult => ({
  status: "allowed",
  now: check.now,
  retryAfterMs: 0,
  challengeTriggered: false,
  windows: check.windows.map((w) => ({ ...w, remaining: w.limit - check.cost, resetAt: check.now + w.windowMs })),
});

const config = resolveRateLimitConfig({ redis: { timeoutMs: 50, retryIntervalMs: 1000 }, allow: { ips: ["10.1.0.0/16"] }, deny: { apiKeys: ["bad-key"] } });
const user = { kind: "user" as const, id: "u1", tier: "free" as const };

describe("createRateLimiter", () => {
  it("falls back to the in-memory limiter when Redis fails on a fail-open policy, and returns to Redis after the retry interval", async () => {
    const clock = manualClock();
    let down = true;
    const { store, check } = fakeStore(async (c) => {
      if (down) throw new Error("ECONNREFUSED");
      return allowedResult(c);
    });
    const limiter = createRateLimiter({ config, store, clock, logger: silent });

    const first = await limiter.limit({ identity: user, policy: "read" });
    expect(first).toMatchObject({ allowed: true, source: "fallback" });
    await limiter.limit({ identity: user, policy: "read" });
    expect(check).toHaveBeenCalledTimes(1);

    down = false;
    clock.advance(1000);
    expect(await limiter.limit({ identity: user, policy: "read" })).toMatchObject({ allowed: true, source: "redis" });
    expect(limiter.metrics.snapshot().read).toMatchObject({ fallback: 2, allowed: 3 });
  });

  it("refuses a fail-closed policy (auth) with 'unavailable' while Redis is down", async () => {
    const { store } = fakeStore(async () => {
      throw new Error("down");
    });
    const limiter = createRateLimiter({ config, store, clock: manualClock(), logger: silent });
    expect(await limiter.limit({ identity: user, policy: "auth" })).toMatchObject({ allowed: false, reason: "unavailable", retryAfterMs: 1000 });
  });

  it("does not wait longer than the timeout for a Redis that hangs", async () => {
    const { store } = fakeStore(() => new Promise<never>(() => undefined));
    const limiter = createRateLimiter({ config, store, clock: manualClock(), logger: silent });
    const started = Date.now();
    expect(await limiter.limit({ identity: user, policy: "read" })).toMatchObject({ allowed: true, source: "fallback" });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("serves a refusal from memory until exactly the retry time, and lets cheaper requests ask Redis", async () => {
    const clock = manualClock();
    const { store, check } = fakeStore(async (c) => ({ status: "limited", now: c.now, retryAfterMs: 500, challengeTriggered: false, windows: c.windows.map((w) => ({ ...w, remaining: 0, resetAt: c.now + 500 })) }));
    const limiter = createRateLimiter({ config, store, clock, logger: silent });

    expect(await limiter.limit({ identity: user, policy: "execute" })).toMatchObject({ allowed: false, source: "redis", retryAfterMs: 500 });
    clock.advance(499);
    expect(await limiter.limit({ identity: user, policy: "execute" })).toMatchObject({ allowed: false, source: "memory-cache", retryAfterMs: 1 });
    expect(check).toHaveBeenCalledTimes(1);
    await limiter.limit({ identity: user, policy: "read" });
    expect(check).toHaveBeenCalledTimes(2);
    clock.advance(500);
    await limiter.limit({ identity: user, policy: "execute" });
    expect(check).toHaveBeenCalledTimes(3);
  });

  it("refuses deny-listed and bypasses allow-listed identities without Redis", async () => {
    const { store, check } = fakeStore(async (c) => allowedResult(c));
    const limiter = createRateLimiter({ config, store, clock: manualClock(), logger: silent });
    expect(await limiter.limit({ identity: { kind: "apiKey", id: "bad-key" }, policy: "read" })).toMatchObject({ allowed: false, reason: "denied" });
    expect(await limiter.limit({ identity: user, policy: "read", ip: "10.1.2.3" })).toMatchObject({ allowed: true, bypassed: true });
    expect(check).not.toHaveBeenCalled();
  });

  it("asks the tier resolver only when the identity has no tier, and treats IPs as anonymous", async () => {
    const { store, check } = fakeStore(async (c) => allowedResult(c));
    const resolveTier = jest.fn(async () => "pro" as const);
    const limiter = createRateLimiter({ config, store, clock: manualClock(), logger: silent, resolveTier });
    await limiter.limit({ identity: { kind: "user", id: "u2" }, policy: "read" });
    await limiter.limit({ identity: { kind: "ip", id: "192.0.2.1" }, policy: "read" });
    expect(resolveTier).toHaveBeenCalledTimes(1);
    expect(check.mock.calls[0]?.[0].windows).toEqual(config.tiers.pro);
    expect(check.mock.calls[1]?.[0].windows).toEqual(config.tiers.anonymous);
  });

  it("retries a challenged request once the verifier accepts its token", async () => {
    let challenged = true;
    const { store } = fakeStore(async (c) => (challenged && !c.ignoreChallenge ? { status: "challenge", now: c.now, retryAfterMs: 60_000, challengeTriggered: false, windows: [] } : allowedResult(c)));
    (store.deleteKeys as jest.Mock).mockImplementation(async () => {
      challenged = false;
      return 1;
    });
    const limiter = createRateLimiter({ config, store, clock: manualClock(), logger: silent, verifier: createTestChallengeVerifier("ok") });
    expect(await limiter.limit({ identity: user, policy: "read", challengeToken: "wrong" })).toMatchObject({ reason: "challenge_required" });
    expect(await limiter.limit({ identity: user, policy: "read", challengeToken: "ok" })).toMatchObject({ allowed: true });
  });

  it("asks the challenge gate (bans, the challenge policy) before the verifier, and stops there when refused", async () => {
    const { store, check } = fakeStore(async (c) => ({ status: "banned", now: c.now, retryAfterMs: 60_000, challengeTriggered: false, windows: [] }));
    const verifier = { verify: jest.fn(async () => true) };
    const limiter = createRateLimiter({ config, store, clock: manualClock(), logger: silent, verifier });

    const result = await limiter.verifyChallenge({ identity: user, ip: "192.0.2.9", token: "ok" });

    expect(result).toMatchObject({ verified: false, refusal: { reason: "ip_banned" } });
    expect(check.mock.calls[0]?.[0]).toMatchObject({ bucket: "challenge", ignoreChallenge: true, challenge: { violations: 0 } });
    expect(verifier.verify).not.toHaveBeenCalled();
  });
});

describe("load shedding", () => {
  const hanging = () => fakeStore(() => new Promise<StoreResult>(() => {})).store;

  it("sheds a request with 'overloaded' (and counts it) when Redis gives no answer while the instance is saturated", async () => {
    const limiter = createRateLimiter({ config, store: hanging(), clock: manualClock(), logger: silent, load: { saturated: () => true } });
    expect(await limiter.limit({ identity: user, policy: "read" })).toMatchObject({ allowed: false, reason: "overloaded", retryAfterMs: 1000 });
    // In the retry interval Redis is skipped; a saturated instance still sheds rather than run on its own counts.
    expect(await limiter.limit({ identity: user, policy: "read" })).toMatchObject({ allowed: false, reason: "overloaded" });
    expect(limiter.metrics.snapshot().read).toMatchObject({ shed: 2 });
    expect(limiter.metrics.snapshot().read?.fallback).toBeUndefined();
  });

  it("uses the per-instance fallback when Redis gives no answer and the instance is not saturated", async () => {
    const limiter = createRateLimiter({ config, store: hanging(), clock: manualClock(), logger: silent, load: { saturated: () => false } });
    expect(await limiter.limit({ identity: user, policy: "read" })).toMatchObject({ allowed: true, source: "fallback" });
  });

  it("never sheds while Redis answers, however busy the instance", async () => {
    const { store } = fakeStore(async (c) => allowedResult(c));
    const limiter = createRateLimiter({ config, store, clock: manualClock(), logger: silent, load: { saturated: () => true } });
    expect(await limiter.limit({ identity: user, policy: "read" })).toMatchObject({ allowed: true, source: "redis" });
  });
});
