import { HttpsError, type CallableRequest } from "firebase-functions/v2/https";
import { z } from "zod";
import { callableHandler } from "../callable";
import { createCallableGuard } from "./callable-guard";
import type { RateLimiter } from "./limiter";
import type { Decision } from "./types";

const at = 1_700_000_000_000;
const limited: Decision = { allowed: false, reason: "rate_limited", policy: "read", windows: [{ limit: 10, windowMs: 60_000, remaining: 0, resetAt: at + 7_000 }], retryAfterMs: 7_000, source: "redis", at };

function setup(decision: Decision, banned = false) {
  const limiter = {
    limit: jest.fn(async () => decision),
    recordFailure: jest.fn(async () => ({ banned, retryAfterMs: banned ? 3_600_000 : 0, at, ...(banned ? { reason: "ip_banned" as const } : {}) })),
  };
  const guard = createCallableGuard({ limiter: limiter as unknown as RateLimiter });
  const handle = jest.fn(async (input: { n: number }) => input.n);
  const handler = callableHandler({ name: "test.echo", input: z.strictObject({ n: z.number() }), rateLimit: { policy: "read" }, handle }, guard);
  return { limiter, handle, handler };
}

const request = (data: unknown, uid?: string) =>
  ({ data, ...(uid ? { auth: { uid, token: { uid } } } : {}), rawRequest: { headers: { "x-forwarded-for": "1.1.1.1, 203.0.113.9" } } }) as unknown as CallableRequest<unknown>;

describe("callableHandler with the rate-limit guard", () => {
  it("refuses with resource-exhausted and { retryAfter, limit, remaining, reset } before the handler runs", async () => {
    const { handler, handle, limiter } = setup(limited);
    const error = await handler(request({ n: 1 }, "u1")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpsError);
    expect(error).toMatchObject({ code: "resource-exhausted", message: "Rate limit exceeded", details: { reason: "rate_limited", retryAfter: 7, limit: 10, remaining: 0, reset: Math.ceil((at + 7_000) / 1000) } });
    expect(handle).not.toHaveBeenCalled();
    expect(limiter.limit).toHaveBeenCalledWith({ identity: { kind: "user", id: "u1" }, policy: "read", ip: "203.0.113.9" });
  });

  it("runs the handler when allowed", async () => {
    const { handler } = setup({ ...limited, allowed: true, reason: undefined, retryAfterMs: 0 });
    await expect(handler(request({ n: 4 }, "u1"))).resolves.toBe(4);
  });

  it("counts an unauthenticated call as a failure of the client IP", async () => {
    const { handler, limiter } = setup(limited);
    await expect(handler(request({ n: 1 }))).rejects.toMatchObject({ code: "unauthenticated" });
    expect(limiter.recordFailure).toHaveBeenCalledWith({ ip: "203.0.113.9", kind: "authentication", policy: "test.echo" });
  });

  it("answers a banned IP with its own code instead of the original error", async () => {
    const { handler } = setup(limited, true);
    await expect(handler(request({ n: 1 }))).rejects.toMatchObject({ code: "permission-denied", details: { reason: "ip_banned", retryAfter: 3600 } });
  });

  it("counts a signed-in caller's invalid input against the caller, not only the IP", async () => {
    const { handler, limiter } = setup({ ...limited, allowed: true, reason: undefined });
    await expect(handler(request({ n: "x" }, "u1"))).rejects.toMatchObject({ code: "invalid-argument" });
    expect(limiter.recordFailure).toHaveBeenCalledWith({ ip: "203.0.113.9", identity: { kind: "user", id: "u1" }, kind: "validation", policy: "test.echo" });
  });

  it("maps a challenge to failed-precondition", async () => {
    const { handler } = setup({ ...limited, reason: "challenge_required", windows: [] });
    await expect(handler(request({ n: 1 }, "u1"))).rejects.toMatchObject({ code: "failed-precondition", details: { reason: "challenge_required" } });
  });
});
