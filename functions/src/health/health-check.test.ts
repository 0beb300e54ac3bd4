import { manualClock } from "../lib/clock";
import { createHealthCheck, scrubDependencyError } from "./health-check";

const okDb = { collection: () => ({ doc: () => ({ get: async () => ({}) }) }) } as never;
const downDb = { collection: () => ({ doc: () => ({ get: async () => Promise.reject(new Error("14 UNAVAILABLE")) }) }) } as never;

describe("health check", () => {
  it("is ok when Firestore and Redis answer", async () => {
    const report = await createHealthCheck({ db: okDb, redis: { ping: async () => "PONG" }, clock: manualClock() }).run();
    expect(report.status).toBe("ok");
  });

  it("is degraded, not down, when only Redis is unreachable or not configured", async () => {
    const redisDown = await createHealthCheck({ db: okDb, redis: { ping: () => Promise.reject(new Error("fetch failed")) }, clock: manualClock() }).run();
    const noRedis = await createHealthCheck({ db: okDb, redis: null, clock: manualClock() }).run();

    expect(redisDown.status).toBe("degraded");
    expect(redisDown.dependencies.redis).toMatchObject({ status: "down", error: "Error: fetch failed" });
    expect(noRedis.status).toBe("degraded");
    expect(noRedis.dependencies.redis.status).toBe("disabled");
  });

  it("is down when Firestore does not answer within the timeout", async () => {
    const hangingDb = { collection: () => ({ doc: () => ({ get: () => new Promise(() => {}) }) }) } as never;
    const report = await createHealthCheck({ db: hangingDb, redis: null, clock: manualClock(), timeoutMs: 20 }).run();
    const failing = await createHealthCheck({ db: downDb, redis: null, clock: manualClock() }).run();

    expect(report.status).toBe("down");
    expect(report.dependencies.firestore).toMatchObject({ status: "down", error: "Error: timed out after 20 ms" });
    expect(failing.status).toBe("down");
  });

  it("keeps addresses, URLs and credentials out of the error text", () => {
    const message = scrubDependencyError(
      new Error("connect ECONNREFUSED 10.1.2.3:6379 at https://user:pw@eu1-abc.upstash.io/evalsha with Bearer AbC123xyz and [2001:db8::1]:443"),
    );

    expect(message).toBe("Error: connect ECONNREFUSED [address] at [url] with Bearer [redacted] and [address]");
    expect(scrubDependencyError(new Error("x".repeat(5_000)))).toHaveLength(200);
  });
});
