import type { AddressInfo } from "node:net";
import express from "express";
import { getFirestore } from "firebase-admin/firestore";
import type { Request } from "firebase-functions/v2/https";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { firebaseApp } from "../../src/app/clients";
import { manualClock } from "../../src/lib/clock";
import { createRateLimiter, createRedisStore, resolveRateLimitConfig } from "../../src/lib/rate-limit";
import { createMetricsRecorder, minuteOf } from "../../src/lib/metrics";
import { createMonitoring } from "../../src/monitoring/monitoring";
import { upstashClient } from "../rate-limit/redis-env";

const silent = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
type Family = { name: string; type: string; metrics: Array<{ labels?: Record<string, string>; value?: string }> };

/**
 * `/metrics` over HTTP as the runtime serves it (express), against the real Firestore server and
 * Redis: counts recorded by an instance, rolled up by the minute job, exported in the Prometheus
 * text format to an admin, refused to anyone else. The ID token verifier stands in for Firebase
 * Auth (tokens are the only thing faked).
 */
describe("/metrics over HTTP", () => {
  const redis = upstashClient();
  const db = getFirestore(firebaseApp(), "monitoring-endpoint-test");
  // A far-off day of its own: the daily document holds only this test's counts.
  const day = Date.UTC(2034, 0, 1) + Math.floor(Math.random() * 3_000) * 86_400_000;
  const clock = manualClock(day + 3_600_000 + 5_000);
  const tokens: Record<string, Record<string, unknown>> = { "admin-token": { uid: "a", admin: true }, "user-token": { uid: "u" } };
  const monitoring = createMonitoring({ db, redis, clock, publisher: { publish: async () => "id" }, verifyIdToken: async (token) => tokens[token] ?? Promise.reject(new Error("bad token")) });
  const limiter = createRateLimiter({ config: resolveRateLimitConfig({ redis: { timeoutMs: 3_000 } }), store: createRedisStore(redis), clock, logger: silent });
  let url = "";
  let close = () => {};

  beforeAll(async () => {
    const recorder = createMetricsRecorder({ redis, clock, flushEveryMs: 0 });
    for (let i = 0; i < 12; i++) recorder.request({ api: "rest:GET /v1/workspaces/{workspaceId}/prompts", code: i === 0 ? "503" : "200", ms: 40 });
    recorder.count("rate_limit.fallback", 2);
    await recorder.flush();
    await db.doc("monitoringState/rollup").set({ lastMinute: minuteOf(clock.now()) - 60_000 });
    clock.advance(61_000);
    await monitoring.rollup.rollup();

    const handler = monitoring.endpoint(limiter, { trustedProxyHops: 1 });
    const app = express();
    app.use((req, res) => void handler(req as unknown as Request, res));
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    close = () => server.close();
  });
  afterAll(() => close());

  const ip = () => `198.18.${Math.floor(Math.random() * 255)}.${Math.floor(Math.random() * 255)}`;

  it("exports every instance's counts in the Prometheus text format to an admin", async () => {
    const res = await fetch(url, { headers: { authorization: "Bearer admin-token", "x-forwarded-for": ip() } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain;.*version=0.0.4/);
    const families = parsePrometheusTextFormat(await res.text()) as Family[];
    const requests = families.find((f) => f.name === "rag_requests_total")?.metrics ?? [];
    expect(requests).toEqual(
      expect.arrayContaining([
        { labels: { api: "rest:GET /v1/workspaces/{workspaceId}/prompts", code: "200", class: "ok" }, value: "11" },
        { labels: { api: "rest:GET /v1/workspaces/{workspaceId}/prompts", code: "503", class: "server" }, value: "1" },
      ]),
    );
    expect(families.find((f) => f.name === "rag_events_total")?.metrics).toEqual(expect.arrayContaining([{ labels: { name: "rate_limit.fallback" }, value: "2" }]));
    expect(families.find((f) => f.name === "rag_slo_error_budget_remaining_ratio")?.metrics.length).toBeGreaterThan(0);
  });

  it("refuses a missing or bad token (401) and a signed-in non-admin (403) with a JSON body", async () => {
    const none = await fetch(url, { headers: { "x-forwarded-for": ip() } });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: "unauthenticated" } });
    expect((await fetch(url, { headers: { authorization: "Bearer forged", "x-forwarded-for": ip() } })).status).toBe(401);
    const user = await fetch(url, { headers: { authorization: "Bearer user-token", "x-forwarded-for": ip() } });
    expect(user.status).toBe(403);
    expect((await fetch(url, { method: "POST", headers: { "x-forwarded-for": ip() } })).status).toBe(405);
  });
});
