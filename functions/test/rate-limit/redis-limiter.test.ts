import { randomUUID } from "node:crypto";
import { HttpsError, type CallableRequest } from "firebase-functions/v2/https";
import { z } from "zod";
import { callableHandler } from "../../src/lib/callable";
import { manualClock } from "../../src/lib/clock";
import {
  createCallableGuard,
  createRateLimiter,
  createRateLimitOperations,
  createRedisStore,
  createTestChallengeVerifier,
  limitRestRequest,
  resolveRateLimitConfig,
  type Identity,
  type ScriptRedis,
} from "../../src/lib/rate-limit";
import { upstashClient, upstashEnv } from "./redis-env";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const silent = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };

function setup(override: Record<string, unknown> = {}, redis: ScriptRedis = upstashClient()) {
  const clock = manualClock(Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 1e9));
  const config = resolveRateLimitConfig({ challenge: { violations: 0 }, ...override });
  const store = createRedisStore(redis);
  const limiter = createRateLimiter({ config, store, clock, logger: silent, verifier: createTestChallengeVerifier("human") });
  const ops = createRateLimitOperations({ store: createRedisStore(upstashClient()), limiter, config, clock, logger: silent });
  return { clock, config, limiter, ops };
}

const uniqueUser = (tier: Identity["tier"]): Identity => ({ kind: "user", id: `it-${randomUUID()}`, ...(tier ? { tier } : {}) });
const uniqueIp = () => `198.18.${Math.floor(Math.random() * 255)}.${Math.floor(Math.random() * 255)}`;

beforeAll(() => upstashEnv());

describe("tiers: both windows decided in one round trip", () => {
  it.each([
    ["free", 1, 10, 100],
    ["pro", 10, 100, 1_000],
    ["enterprise", 100, 1_000, 10_000],
  ] as const)("%s: the minute window refuses at its limit, the hour window at its own", async (tier, cost, perMinute, perHour) => {
    const { clock, limiter } = setup();
    const identity = uniqueUser(tier);
    const ask = () => limiter.limit({ identity, policy: "read", cost });

    for (let i = 0; i < perMinute / cost; i++) expect((await ask()).allowed).toBe(true);
    const minuteFull = await ask();
    expect(minuteFull).toMatchObject({ allowed: false, reason: "rate_limited", source: "redis" });
    expect(minuteFull.retryAfterMs).toBe(MINUTE);

    for (let minute = 1; minute < perHour / perMinute; minute++) {
      clock.advance(MINUTE);
      for (let i = 0; i < perMinute / cost; i++) expect((await ask()).allowed).toBe(true);
    }
    clock.advance(MINUTE);
    const hourFull = await ask();
    expect(hourFull).toMatchObject({ allowed: false, reason: "rate_limited" });
    expect(hourFull.windows.find((w) => w.windowMs === HOUR)).toMatchObject({ limit: perHour, remaining: 0 });
    expect(hourFull.retryAfterMs).toBe(HOUR - (perHour / perMinute) * MINUTE);
  });

  it("anonymous (by IP): 50 per hour", async () => {
    const { limiter } = setup();
    const ip = uniqueIp();
    const identity: Identity = { kind: "ip", id: ip };
    for (let i = 0; i < 50; i++) expect((await limiter.limit({ identity, ip, policy: "read" })).allowed).toBe(true);
    expect(await limiter.limit({ identity, ip, policy: "read" })).toMatchObject({ allowed: false, windows: [{ limit: 50, windowMs: HOUR, remaining: 0 }] });
  });

  it("holds across limiter instances (state lives in Redis)", async () => {
    const a = setup();
    const b = createRateLimiter({ config: a.config, store: createRedisStore(upstashClient()), clock: a.clock, logger: silent });
    const identity = uniqueUser("free");
    for (let i = 0; i < 5; i++) await a.limiter.limit({ identity, policy: "read" });
    for (let i = 0; i < 5; i++) expect((await b.limit({ identity, policy: "read" })).allowed).toBe(true);
    expect((await b.limit({ identity, policy: "read" })).allowed).toBe(false);
    expect((await a.limiter.limit({ identity, policy: "read" })).allowed).toBe(false);
  });
});

describe("responses", () => {
  it("REST: limit headers on success; 429 with the body and headers clients expect", async () => {
    const { limiter, clock } = setup();
    const identity = uniqueUser("free");
    const first = await limitRestRequest(limiter, { method: "GET", identity, ip: uniqueIp() });
    expect(first.allowed).toBe(true);
    expect(first.headers).toMatchObject({ "X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "9", "RateLimit-Policy": '"1m";q=10;w=60, "1h";q=100;w=3600', RateLimit: '"1m";r=9;t=60' });

    for (let i = 0; i < 9; i++) await limitRestRequest(limiter, { method: "GET", identity, ip: undefined });
    clock.advance(15_000);
    const refused = await limitRestRequest(limiter, { method: "GET", identity, ip: undefined });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      error: { code: "resource-exhausted", message: "Rate limit exceeded", details: { reason: "rate_limited", retryAfter: 45, limit: 10, remaining: 0, reset: Math.ceil((clock.now() + 45_000) / 1000) } },
      retry_after: 45,
      limit: 10,
      remaining: 0,
    });
    expect(refused.headers).toMatchObject({ "Retry-After": "45", "X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": String(Math.ceil((clock.now() + 45_000) / 1000)) });
  });

  it("callables: HttpsError resource-exhausted with { retryAfter, limit, remaining, reset }", async () => {
    const { limiter } = setup();
    const uid = `it-${randomUUID()}`;
    const handler = callableHandler({ name: "it.ping", input: z.strictObject({}), rateLimit: { policy: "read" }, handle: async () => "pong" }, createCallableGuard({ limiter }));
    const request = { data: {}, auth: { uid, token: { uid, plan: "free" } }, rawRequest: { headers: {} } } as unknown as CallableRequest<unknown>;
    for (let i = 0; i < 10; i++) await expect(handler(request)).resolves.toBe("pong");
    const error = await handler(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpsError);
    expect(error).toMatchObject({ code: "resource-exhausted", details: { retryAfter: 60, limit: 10, remaining: 0, reset: expect.any(Number) } });
  });
});

describe("abuse protection", () => {
  it("bans an IP after 10 failures within an hour, escalating 1 h, 6 h, 24 h, 24 h; bans expire on their own", async () => {
    const { limiter, clock, ops } = setup();
    const ip = uniqueIp();
    const identity = uniqueUser("pro");
    const fail = () => limiter.recordFailure({ ip, kind: "authentication" });

    for (const hours of [1, 6, 24, 24]) {
      for (let i = 0; i < 9; i++) expect((await fail()).banned).toBe(false);
      expect(await fail()).toMatchObject({ banned: true, retryAfterMs: hours * HOUR, reason: "ip_banned" });
      expect(await limiter.limit({ identity, ip, policy: "read" })).toMatchObject({ allowed: false, reason: "ip_banned" });
      clock.advance(hours * HOUR - 1);
      expect((await limiter.limit({ identity, ip, policy: "read" })).reason).toBe("ip_banned");
      clock.advance(1);
      expect((await limiter.limit({ identity, ip, policy: "read" })).allowed).toBe(true);
    }
    clock.advance(7 * 24 * HOUR + 1);
    for (let i = 0; i < 9; i++) await fail();
    expect(await fail()).toMatchObject({ banned: true, retryAfterMs: HOUR });
    await ops.unban(ip);
  });

  it("failures older than an hour do not count", async () => {
    const { limiter, clock } = setup();
    const ip = uniqueIp();
    for (let i = 0; i < 9; i++) await limiter.recordFailure({ ip, kind: "validation" });
    clock.advance(HOUR);
    expect((await limiter.recordFailure({ ip, kind: "validation" })).banned).toBe(false);
  });

  it("switches to 'challenge required' after 5 violations; a verified token lifts it", async () => {
    const { limiter, clock, config } = setup({ challenge: { violations: 5, windowMs: MINUTE, ttlMs: HOUR } });
    const identity = uniqueUser("free");
    for (let i = 0; i < 10; i++) await limiter.limit({ identity, policy: "read" });
    // Five instances each refuse once (an instance serves its later refusals from memory).
    const refusals = [];
    for (let i = 0; i < 5; i++) {
      const instance = createRateLimiter({ config, store: createRedisStore(upstashClient()), clock, logger: silent });
      refusals.push(await instance.limit({ identity, policy: "read" }));
      clock.advance(1_000);
    }
    expect(refusals.map((d) => d.reason)).toEqual(Array(5).fill("rate_limited"));
    expect(refusals[4]?.challengeTriggered).toBe(true);

    clock.advance(MINUTE);
    expect((await limiter.limit({ identity, policy: "read" })).reason).toBe("challenge_required");
    expect((await limiter.limit({ identity, policy: "read", challengeToken: "bot" })).reason).toBe("challenge_required");
    expect(await limiter.limit({ identity, policy: "read", challengeToken: "human" })).toMatchObject({ allowed: true });
  });

  it("refusals of a budget (spend charged to an owner) are no violations of the owner: no challenge follows", async () => {
    const { limiter, clock, config } = setup({ challenge: { violations: 2, windowMs: MINUTE, ttlMs: HOUR } });
    const owner = uniqueUser("free");
    const reasons = [];
    // Each run on an instance of its own (an instance serves its later refusals from memory), as members' runs land.
    for (let i = 0; i < 8; i++) {
      const instance = createRateLimiter({ config, store: createRedisStore(upstashClient()), clock, logger: silent });
      reasons.push((await instance.limit({ identity: owner, policy: "execute", cost: 4, budget: true })).reason);
      clock.advance(1_000);
    }
    expect(reasons.filter((r) => r === "rate_limited").length).toBeGreaterThanOrEqual(3);
    clock.advance(MINUTE);
    expect(await limiter.limit({ identity: owner, policy: "read" })).toMatchObject({ allowed: true });
  });

  it("allow list bypasses limits; deny list refuses at once", async () => {
    const { limiter } = setup({ allow: { ips: ["198.19.0.0/16"], apiKeys: ["vip-key"] }, deny: { ips: ["203.0.113.66"] } });
    const identity = uniqueUser("free");
    for (let i = 0; i < 20; i++) expect((await limiter.limit({ identity, ip: "198.19.7.7", policy: "read" })).allowed).toBe(true);
    for (let i = 0; i < 20; i++) expect((await limiter.limit({ identity: { kind: "apiKey", id: "vip-key", tier: "free" }, policy: "read" })).allowed).toBe(true);
    expect(await limiter.limit({ identity: uniqueUser("enterprise"), ip: "203.0.113.66", policy: "read" })).toMatchObject({ allowed: false, reason: "denied" });
  });
});

describe("overrides and operations", () => {
  it("an override set through operations replaces the tier's limits until cleared", async () => {
    const { limiter, ops } = setup();
    const identity = uniqueUser("free");
    await ops.setOverride(identity, [{ limit: 2, windowMs: MINUTE }]);
    expect((await limiter.limit({ identity, policy: "read" })).windows).toEqual([expect.objectContaining({ limit: 2 })]);
    await limiter.limit({ identity, policy: "read" });
    expect((await limiter.limit({ identity, policy: "read" })).allowed).toBe(false);
    expect((await ops.getState(identity)).override).toEqual([{ limit: 2, windowMs: MINUTE }]);

    await ops.clearOverride(identity);
    expect(await limiter.limit({ identity, policy: "read" })).toMatchObject({ allowed: true, windows: [expect.objectContaining({ limit: 10, remaining: 7 }), expect.anything()] });
  });

  it("a config override applies per identity without a code change", async () => {
    const identity = uniqueUser("free");
    const { limiter } = setup({ overrides: { [`user:${identity.id}`]: [{ limit: 1, windowMs: MINUTE }] } });
    expect((await limiter.limit({ identity, policy: "read" })).allowed).toBe(true);
    expect((await limiter.limit({ identity, policy: "read" })).allowed).toBe(false);
  });

  it("reports an identity's state, and reset empties it", async () => {
    const { limiter, ops } = setup();
    const identity = uniqueUser("free");
    for (let i = 0; i < 10; i++) await limiter.limit({ identity, policy: "execute", cost: 1 });
    const state = await ops.getState(identity);
    expect(state.usage).toEqual(expect.arrayContaining([{ bucket: "spend", windowMs: MINUTE, used: 10 }]));
    await ops.reset(identity);
    expect((await limiter.limit({ identity, policy: "execute", cost: 10 })).allowed).toBe(true);
  });
});

describe("Redis down", () => {
  function switchable() {
    const live = upstashClient();
    const dead = upstashClient("http://127.0.0.1:9", "x");
    let current: ScriptRedis = dead;
    const redis: ScriptRedis = {
      evalsha: ((...args: Parameters<ScriptRedis["evalsha"]>) => current.evalsha(...args)) as ScriptRedis["evalsha"],
      eval: ((...args: Parameters<ScriptRedis["eval"]>) => current.eval(...args)) as ScriptRedis["eval"],
    };
    return { redis, up: () => (current = live) };
  }

  it("fails open to the bounded in-memory limiter and returns to Redis once it answers", async () => {
    const { redis, up } = switchable();
    const { limiter, clock } = setup({ redis: { timeoutMs: 200, retryIntervalMs: 1_000 } }, redis);
    const identity = uniqueUser("free");
    const decisions = [];
    for (let i = 0; i < 11; i++) decisions.push(await limiter.limit({ identity, policy: "read" }));
    expect(decisions.slice(0, 10).every((d) => d.allowed && d.source === "fallback")).toBe(true);
    expect(decisions[10]).toMatchObject({ allowed: false, source: "fallback" });

    up();
    expect((await limiter.limit({ identity, policy: "write" })).source).toBe("fallback");
    clock.advance(1_000);
    expect(await limiter.limit({ identity, policy: "write" })).toMatchObject({ allowed: true, source: "redis" });
    expect(limiter.metrics.snapshot().read).toMatchObject({ fallback: 11 });
  });

  it("fails closed for sign-in and key creation (auth policy): refused as unavailable, never hangs", async () => {
    const { redis } = switchable();
    const { limiter } = setup({}, redis);
    const started = Date.now();
    expect(await limiter.limit({ identity: uniqueUser("free"), policy: "auth" })).toMatchObject({ allowed: false, reason: "unavailable" });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("a Redis that hangs is abandoned after the timeout", async () => {
    const hanging: ScriptRedis = { evalsha: (() => new Promise(() => undefined)) as ScriptRedis["evalsha"], eval: (() => new Promise(() => undefined)) as ScriptRedis["eval"] };
    const { limiter } = setup({ redis: { timeoutMs: 100, retryIntervalMs: 1_000 } }, hanging);
    const started = Date.now();
    expect(await limiter.limit({ identity: uniqueUser("free"), policy: "read" })).toMatchObject({ allowed: true, source: "fallback" });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
