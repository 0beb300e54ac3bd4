import { randomUUID } from "node:crypto";
import type { CallableRequest } from "firebase-functions/v2/https";
import { createRateLimiting } from "../../src/app/rate-limiting";
import { manualClock } from "../../src/lib/clock";
import { createRateLimiter, createRedisStore, createTestChallengeVerifier, resolveRateLimitConfig } from "../../src/lib/rate-limit";
import { verifyChallengeHandler } from "../../src/security/challenge-callable";
import { upstashClient } from "./redis-env";

const silent = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };

function requestFor(uid: string, data: unknown): CallableRequest<unknown> {
  return { data, auth: { uid, token: { uid } }, rawRequest: { headers: {}, socket: { remoteAddress: "198.18.0.7" } } } as unknown as CallableRequest<unknown>;
}

describe("verifyChallenge callable", () => {
  const clock = manualClock(Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 1e9));
  const config = resolveRateLimitConfig({ challenge: { violations: 2, windowMs: 60_000, ttlMs: 3_600_000 } });
  const limiter = createRateLimiter({ config, store: createRedisStore(upstashClient()), clock, logger: silent, verifier: createTestChallengeVerifier("human") });

  const { verifyCallerChallenge } = createRateLimiting({ limiter, trustedProxyHops: 1, clock });
  const verify = (request: CallableRequest<unknown>) => verifyChallengeHandler(verifyCallerChallenge, request);

  it("lifts 'challenge required' only for a token the verifier accepts", async () => {
    const uid = `challenge-${randomUUID()}`;
    const identity = { kind: "user" as const, id: uid, tier: "free" as const };
    for (let i = 0; i < 10; i++) await limiter.limit({ identity, policy: "read" });
    // Two instances each refuse once (an instance serves its later refusals from memory).
    for (let i = 0; i < 2; i++) {
      const instance = createRateLimiter({ config, store: createRedisStore(upstashClient()), clock, logger: silent });
      await instance.limit({ identity, policy: "read" });
    }
    clock.advance(61_000);
    expect((await limiter.limit({ identity, policy: "read" })).reason).toBe("challenge_required");

    await expect(verify(requestFor(uid, { token: "bot" }))).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(verify(requestFor(uid, { token: "human" }))).resolves.toEqual({ verified: true });
    expect((await limiter.limit({ identity, policy: "read" })).allowed).toBe(true);
  });

  it("rejects missing auth and malformed input with typed errors", async () => {
    await expect(verify({ data: { token: "human" } } as CallableRequest<unknown>)).rejects.toMatchObject({ code: "unauthenticated" });
    await expect(verify(requestFor("u", { token: "" }))).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(verify(requestFor("u", { token: "human", extra: 1 }))).rejects.toMatchObject({ code: "invalid-argument" });
  });
});

// The verifier (reCAPTCHA Enterprise) is billed per assessment: bans and limits are checked first.
describe("verifyChallenge checks bans and limits before the billed verifier", () => {
  function setup(override: Record<string, unknown> = {}) {
    const clock = manualClock(Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 1e9));
    const verifier = { verify: jest.fn(async (token: string) => token === "human") };
    const config = resolveRateLimitConfig({ challenge: { violations: 0 }, ...override });
    const limiter = createRateLimiter({ config, store: createRedisStore(upstashClient()), clock, logger: silent, verifier });
    const { verifyCallerChallenge } = createRateLimiting({ limiter, trustedProxyHops: 1, clock });
    const ip = `198.18.${Math.floor(Math.random() * 255)}.${Math.floor(Math.random() * 255)}`;
    const verify = (uid: string, token: string) =>
      verifyChallengeHandler(verifyCallerChallenge, { data: { token }, auth: { uid, token: { uid } }, rawRequest: { headers: {}, socket: { remoteAddress: ip } } } as unknown as CallableRequest<unknown>);
    return { limiter, verifier, verify, ip };
  }

  it("a banned address never reaches the verifier", async () => {
    const { limiter, verifier, verify, ip } = setup();
    for (let i = 0; i < 10; i++) await limiter.recordFailure({ ip, kind: "authentication" });

    await expect(verify(`challenge-${randomUUID()}`, "human")).rejects.toMatchObject({ code: "permission-denied", details: { reason: "ip_banned" } });
    expect(verifier.verify).not.toHaveBeenCalled();
  });

  it("a caller gets 10 attempts an hour; the 11th is refused without calling the verifier", async () => {
    const { verifier, verify } = setup();
    const uid = `challenge-${randomUUID()}`;
    for (let i = 0; i < 10; i++) await expect(verify(uid, "bot")).rejects.toMatchObject({ code: "invalid-argument" });

    await expect(verify(uid, "human")).rejects.toMatchObject({ code: "resource-exhausted", details: { reason: "rate_limited" } });
    expect(verifier.verify).toHaveBeenCalledTimes(10);
  });

  it("a caller banned for its own failures never reaches the verifier", async () => {
    const { verifier, verify } = setup({ identityFailures: { threshold: 3 } });
    const uid = `challenge-${randomUUID()}`;
    for (let i = 0; i < 3; i++) await verify(uid, "bot").catch(() => undefined);

    await expect(verify(uid, "human")).rejects.toMatchObject({ code: "permission-denied", details: { reason: "identity_banned" } });
    expect(verifier.verify).toHaveBeenCalledTimes(3);
  });
});
