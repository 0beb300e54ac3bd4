import type { Request } from "firebase-functions/v2/https";
import type { Response } from "express";
import type { Decision } from "../lib/rate-limit";
import type { HealthReport } from "./health-check";
import { createHealthEndpoint } from "./health-endpoint";

const detailedReport: HealthReport = {
  status: "degraded",
  checkedAt: "2026-01-01T00:00:00.000Z",
  dependencies: { firestore: { status: "ok", latencyMs: 3 }, redis: { status: "down", latencyMs: 250, error: "Error: fetch failed" } },
};

const allowed: Decision = { allowed: true, policy: "health", windows: [{ limit: 60, windowMs: 60_000, remaining: 59, resetAt: 60_000 }], retryAfterMs: 0, source: "redis", at: 0 };
const limited: Decision = { ...allowed, allowed: false, reason: "rate_limited", windows: [{ limit: 60, windowMs: 60_000, remaining: 0, resetAt: 30_000 }], retryAfterMs: 30_000 };

function setup(decision: Decision = allowed, claims: Record<string, unknown> | Error = { admin: true }) {
  const limiter = { limit: jest.fn(async () => decision), recordFailure: jest.fn(async () => ({ banned: false, retryAfterMs: 0, at: 0 })) };
  const health = { report: jest.fn(async () => detailedReport) };
  const verifyIdToken = jest.fn(async () => {
    if (claims instanceof Error) throw claims;
    return claims;
  });
  const handler = createHealthEndpoint({ health, limiter, verifyIdToken });
  return { handler, limiter, health, verifyIdToken };
}

async function get(handler: ReturnType<typeof createHealthEndpoint>, headers: Record<string, string> = {}, method = "GET") {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const req = { method, headers: lower, socket: { remoteAddress: "203.0.113.7" }, get: (name: string) => lower[name.toLowerCase()] } as unknown as Request;
  const out: { status: number; headers: Record<string, string>; body: unknown } = { status: 200, headers: {}, body: undefined };
  const res = {
    status(code: number) {
      out.status = code;
      return res;
    },
    set(field: string | Record<string, string>, value?: string) {
      Object.assign(out.headers, typeof field === "string" ? { [field]: value } : field);
      return res;
    },
    json(body: unknown) {
      out.body = body;
      return res;
    },
  } as unknown as Response;
  await handler(req, res);
  return out;
}

describe("GET /health", () => {
  it("shows anyone the status alone, limited per client IP on the health policy", async () => {
    const { handler, limiter } = setup();
    const res = await get(handler);

    expect(res).toMatchObject({ status: 200, body: { status: "degraded" } });
    expect(res.body).toEqual({ status: "degraded" });
    expect(res.headers).toMatchObject({ "Cache-Control": "no-store", "X-RateLimit-Limit": "60" });
    expect(limiter.limit).toHaveBeenCalledWith({ identity: { kind: "ip", id: "203.0.113.7" }, ip: "203.0.113.7", policy: "health" });
  });

  it("shows an admin's ID token the dependencies, latencies and errors", async () => {
    const { handler, verifyIdToken } = setup();
    const res = await get(handler, { Authorization: "Bearer admin-token" });

    expect(res).toMatchObject({ status: 200, body: detailedReport });
    expect(verifyIdToken).toHaveBeenCalledWith("admin-token");
  });

  it("refuses a token without the admin claim (403) and an invalid one (401, counted against the IP)", async () => {
    const member = setup(allowed, { admin: false });
    expect(await get(member.handler, { Authorization: "Bearer user-token" })).toMatchObject({ status: 403, body: { error: { code: "permission-denied" } } });

    const forged = setup(allowed, new Error("bad signature"));
    expect(await get(forged.handler, { Authorization: "Bearer forged" })).toMatchObject({ status: 401, body: { error: { code: "unauthenticated" } } });
    expect(forged.limiter.recordFailure).toHaveBeenCalledWith({ ip: "203.0.113.7", kind: "authentication", policy: "health" });
    expect(forged.health.report).not.toHaveBeenCalled();
  });

  it("refuses over the limit with 429 before probing or verifying anything", async () => {
    const { handler, health, verifyIdToken } = setup(limited);
    const res = await get(handler, { Authorization: "Bearer admin-token" });

    expect(res).toMatchObject({ status: 429, headers: { "Retry-After": "30" }, body: { error: { code: "resource-exhausted" } } });
    expect(health.report).not.toHaveBeenCalled();
    expect(verifyIdToken).not.toHaveBeenCalled();
  });

  it("answers 503 with the status alone when down, and 405 to other methods", async () => {
    const { handler, health } = setup();
    health.report.mockResolvedValueOnce({ ...detailedReport, status: "down" });
    expect(await get(handler)).toMatchObject({ status: 503, body: { status: "down" } });
    expect(await get(handler, {}, "POST")).toMatchObject({ status: 405, body: { error: { code: "method-not-allowed" } } });
  });
});
