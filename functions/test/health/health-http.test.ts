import type { AddressInfo } from "node:net";
import express from "express";
import type { Request } from "firebase-functions/v2/https";
import { createHealthCheck } from "../../src/health/health-check";
import { createHealthEndpoint } from "../../src/health/health-endpoint";
import { createHealthReporter } from "../../src/health/health-report";
import { systemClock } from "../../src/lib/clock";
import { createRateLimiter, createRedisStore, resolveRateLimitConfig } from "../../src/lib/rate-limit";
import { testDb } from "../helpers/firestore";
import { upstashClient } from "../rate-limit/redis-env";

const silent = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };

/**
 * `/health` over HTTP as the Functions runtime serves it (express), against the real Firestore
 * server and Redis behind the Upstash endpoint: the probe is shared and cached, the body public,
 * the limit per client IP.
 */
async function serve() {
  const check = createHealthCheck({ db: testDb(), redis: upstashClient(), clock: systemClock });
  const run = jest.fn(() => check.run());
  // A loaded test machine must not turn Redis answers into the in-memory fallback: a generous timeout.
  const limiter = createRateLimiter({ config: resolveRateLimitConfig({ redis: { timeoutMs: 3_000 } }), store: createRedisStore(upstashClient()), clock: systemClock, logger: silent });
  const handler = createHealthEndpoint({ health: createHealthReporter({ check: { run }, clock: systemClock }), limiter, ip: { trustedProxyHops: 1 } });
  const app = express();
  app.use((req, res) => void handler(req as unknown as Request, res));
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  return { url, run, close: () => server.close() };
}

const clientIp = () => `198.18.${Math.floor(Math.random() * 255)}.${Math.floor(Math.random() * 255)}`;

describe("/health over HTTP", () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => (s = await serve()));
  afterAll(() => s.close());

  it("answers 200 requests at 20 concurrent with one shared probe, never down, status only", async () => {
    const ips = Array.from({ length: 10 }, clientIp);
    const answers: Array<{ status: number; body: unknown }> = [];
    const started = Date.now();
    for (let batch = 0; batch < 10; batch++) {
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const res = await fetch(s.url, { headers: { "X-Forwarded-For": ips[i % ips.length] ?? "" } });
            return { status: res.status, body: await res.json() };
          }),
        )),
      );
    }

    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(new Set(answers.map((a) => JSON.stringify(a.body)))).toEqual(new Set([JSON.stringify({ status: "ok" })]));
    // One probe per 5 s cache lifetime at most, however slow a loaded test machine makes the run.
    expect(s.run.mock.calls.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 5_000) + 1);
  });

  it("limits each client IP to 60 a minute, whatever the others do", async () => {
    const ip = clientIp();
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await fetch(s.url, { headers: { "X-Forwarded-For": ip } })).status);

    expect(statuses.slice(0, 60).every((status) => status === 200)).toBe(true);
    expect(statuses[60]).toBe(429);
    expect((await fetch(s.url, { headers: { "X-Forwarded-For": clientIp() } })).status).toBe(200);
  });

  it("does not show the dependencies to a request with a bad token", async () => {
    const res = await fetch(s.url, { headers: { "X-Forwarded-For": clientIp(), Authorization: "Bearer not-a-token" } });
    expect(res.status).toBe(401);
    expect(JSON.stringify(await res.json())).not.toContain("dependencies");
  });
});
