import { randomUUID } from "node:crypto";
import type { CallableRequest, Request } from "firebase-functions/v2/https";
import { z } from "zod";
import type { ApiKeyPrincipal } from "../../src/api/router";
import { createRateLimiting } from "../../src/app/rate-limiting";
import { callableHandler } from "../../src/lib/callable";
import { manualClock } from "../../src/lib/clock";
import { createRateLimiter, createRateLimitOperations, createRedisStore, createTestChallengeVerifier, resolveRateLimitConfig } from "../../src/lib/rate-limit";
import { verifyChallengeHandler } from "../../src/security/challenge-callable";
import { upstashClient, upstashEnv } from "./redis-env";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const silent = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };

beforeAll(() => upstashEnv());

// Many signed-in users share one address behind a NAT, CGNAT or VPN: one user's bad input must
// never ban the others. Real Redis through the Upstash REST endpoint; time moved by the clock.
function setup() {
  const clock = manualClock(Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 1e9));
  const config = resolveRateLimitConfig({ challenge: { violations: 0 } });
  const limiter = createRateLimiter({ config, store: createRedisStore(upstashClient()), clock, logger: silent, verifier: createTestChallengeVerifier("human") });
  // The app's wiring: the user is the identity, its tier from the `plan` claim.
  const rest = createRateLimiting({ limiter, trustedProxyHops: 1, clock });
  const handler = callableHandler({ name: "it.echo", input: z.strictObject({ n: z.number() }), rateLimit: { policy: "read" }, handle: async ({ n }) => n }, rest.callableGuard);
  const ip = `198.18.${Math.floor(Math.random() * 255)}.${Math.floor(Math.random() * 255)}`;
  const call = (data: unknown, uid?: string) =>
    handler({ data, ...(uid ? { auth: { uid, token: { uid, plan: "enterprise" } } } : {}), rawRequest: { headers: {}, socket: { remoteAddress: ip } } } as unknown as CallableRequest<unknown>);
  const req = { method: "GET", headers: {}, socket: { remoteAddress: ip }, get: () => undefined } as unknown as Request;
  const ops = createRateLimitOperations({ store: createRedisStore(upstashClient()), limiter, config, clock, logger: silent });
  return { clock, limiter, call, rest, req, ip, ops };
}

const uid = (name: string) => `${name}-${randomUUID()}`;

describe("failures of signed-in callers count against the caller, never the shared IP", () => {
  it("user A's invalid input never bans user B on the same address", async () => {
    const { call } = setup();
    const a = uid("a");
    const b = uid("b");
    for (let i = 0; i < 15; i++) await expect(call({ n: "bad" }, a)).rejects.toMatchObject({ code: "invalid-argument" });

    await expect(call({ n: 1 }, b)).resolves.toBe(1);
  });

  it("user A's own repeated invalid input suspends A alone, 15 min, then 1 h", async () => {
    const { call, clock } = setup();
    const a = uid("a");
    const b = uid("b");
    for (let i = 0; i < 19; i++) await expect(call({ n: "bad" }, a)).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(call({ n: 1 }, a)).resolves.toBe(1);

    await expect(call({ n: "bad" }, a)).rejects.toMatchObject({ code: "permission-denied", details: { reason: "identity_banned", retryAfter: 15 * 60 } });
    await expect(call({ n: 1 }, a)).rejects.toMatchObject({ code: "permission-denied", details: { reason: "identity_banned" } });
    await expect(call({ n: 1 }, b)).resolves.toBe(1);

    clock.advance(15 * MINUTE);
    await expect(call({ n: 1 }, a)).resolves.toBe(1);
    for (let i = 0; i < 19; i++) await call({ n: "bad" }, a).catch(() => undefined);
    await expect(call({ n: "bad" }, a)).rejects.toMatchObject({ details: { reason: "identity_banned", retryAfter: HOUR / 1000 } });
    await expect(call({ n: 1 }, b)).resolves.toBe(1);
  });

  it("anonymous failures (no valid credentials) still ban the IP, for everyone behind it", async () => {
    const { call } = setup();
    for (let i = 0; i < 9; i++) await expect(call({ n: 1 })).rejects.toMatchObject({ code: "unauthenticated" });
    await expect(call({ n: 1 })).rejects.toMatchObject({ code: "permission-denied", details: { reason: "ip_banned", retryAfter: 3600 } });

    await expect(call({ n: 1 }, uid("b"))).rejects.toMatchObject({ code: "permission-denied", details: { reason: "ip_banned" } });
  });

  it("REST: a key's invalid input counts against the key (until an operator resets it); bad keys against the IP", async () => {
    const { rest, req, ops } = setup();
    const key = (id: string): ApiKeyPrincipal => ({ kind: "apiKey", keyId: id, workspaceId: "w", scopes: ["prompts:read"], createdBy: "u" });
    const noisy = key(uid("noisy"));
    const quiet = key(uid("quiet"));
    const guard = (principal: ApiKeyPrincipal | null) => rest.restGuard({ rateLimit: { policy: "read" }, principal, req });
    const validationOf = { req, kind: "validation" as const, principal: noisy };
    for (let i = 0; i < 20; i++) await rest.reportRestFailure(validationOf);

    expect((await guard(quiet)).rejection).toBeUndefined();
    expect((await guard(noisy)).rejection).toMatchObject({ status: 403, body: { error: { details: { reason: "identity_banned" } } } });
    await ops.reset({ kind: "apiKey", id: noisy.keyId });
    expect((await guard(noisy)).rejection).toBeUndefined();

    for (let i = 0; i < 10; i++) await rest.reportRestFailure({ req, kind: "authentication" });
    expect((await guard(quiet)).rejection).toMatchObject({ status: 403, body: { error: { details: { reason: "ip_banned" } } } });
  });

  it("verifyChallenge: rejected tokens count against the caller, not the address", async () => {
    const { rest, call, ip } = setup();
    const a = uid("a");
    const request = { data: { token: "bot" }, auth: { uid: a, token: { uid: a } }, rawRequest: { headers: {}, socket: { remoteAddress: ip } } } as unknown as CallableRequest<unknown>;
    for (let i = 0; i < 12; i++) await verifyChallengeHandler(rest.verifyCallerChallenge, request).catch(() => undefined);

    await expect(call({ n: 1 }, uid("b"))).resolves.toBe(1);
  });
});
