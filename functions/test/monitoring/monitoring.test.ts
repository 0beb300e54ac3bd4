import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { getFirestore, type Firestore } from "firebase-admin/firestore";
import type { CallableRequest } from "firebase-functions/v2/https";
import { z } from "zod";
import { firebaseApp } from "../../src/app/clients";
import { callableHandler, type CallableGuard } from "../../src/lib/callable";
import { manualClock, systemClock } from "../../src/lib/clock";
import { createMetricsRecorder, decodeFields, minuteKey, minuteOf } from "../../src/lib/metrics";
import { createAlertNotifier } from "../../src/monitoring/alert-notifier";
import { createAlertState } from "../../src/monitoring/alert-state";
import { createMetricsRollup } from "../../src/monitoring/metrics-rollup";
import { readWindows } from "../../src/monitoring/metric-windows";
import { ALERT_HISTORY, ALERTS, alertRecord, decodeCounts, LIVE_DOC, periodPath } from "../../src/monitoring/monitoring-records";
import { createWebhookHttp } from "../../src/webhooks/webhook-http";
import { upstashClient } from "../rate-limit/redis-env";

/**
 * Monitoring against the real servers: Redis behind the Upstash REST endpoint, the Firestore
 * server. A database of its own, so the shared one's triggers and the deployed minute job never
 * see these documents; clocks far in the future, so minute hashes never meet another test's.
 */
function monitoringDb(): Firestore {
  const db = getFirestore(firebaseApp(), "monitoring-test");
  try {
    db.settings({ ignoreUndefinedProperties: true });
  } catch {
    // Settings can be applied once per instance.
  }
  return db;
}

const allowAll: CallableGuard = { limit: async () => undefined, reportFailure: async () => undefined };
const request = (fail: boolean) => ({ data: { fail }, auth: { uid: "u1", token: { uid: "u1" } }, rawRequest: { headers: {} } }) as unknown as CallableRequest<unknown>;

describe("metrics recorder on the real Redis", () => {
  const redis = upstashClient();

  it("adds up every request of several instances answering concurrently", async () => {
    const name = `test.${randomUUID().slice(0, 8)}`;
    // Three instances, each with its recorder, flushing whenever a request ends (the worst case for races).
    const instances = [0, 1, 2].map(() => createMetricsRecorder({ redis, clock: systemClock, flushEveryMs: 0, tailWaitMs: 1_000 }));
    const handlers = instances.map((recorder) =>
      callableHandler(
        {
          name,
          input: z.strictObject({ fail: z.boolean() }),
          rateLimit: { policy: "read" },
          handle: async ({ fail }) => {
            if (fail) throw new Error("boom");
            return "ok";
          },
        },
        allowAll,
        recorder,
      ),
    );
    const started = systemClock.now();
    const calls = Array.from({ length: 300 }, (_, i) => handlers[i % 3]?.(request(i % 10 === 0)).catch(() => "failed"));
    const results = await Promise.all(calls);
    await Promise.all(instances.map((r) => r.flush()));
    expect(instances.map((r) => r.pendingFields())).toEqual([0, 0, 0]);

    const minutes = [...new Set([minuteOf(started), minuteOf(systemClock.now())])];
    const counts = minutes.map((m) => redis.hgetall<Record<string, unknown>>(minuteKey(m)));
    const apis = (await Promise.all(counts)).map((fields) => decodeFields(fields ?? {}).apis[`callable:${name}`]);
    const codes = { ok: 0, internal: 0 };
    let histogram = 0;
    for (const api of apis) {
      codes.ok += api?.codes.ok ?? 0;
      codes.internal += api?.codes.internal ?? 0;
      histogram += api?.latency.reduce((a, b) => a + b, 0) ?? 0;
    }
    expect(results.filter((r) => r === "failed")).toHaveLength(30);
    expect(codes).toEqual({ ok: 270, internal: 30 });
    expect(histogram).toBe(300);
  });

  it("keeps counts through a Redis outage and raises redis-unreachable once", async () => {
    const signals: string[] = [];
    const down = upstashClient("http://127.0.0.1:9", "x");
    const recorder = createMetricsRecorder({ redis: down, clock: systemClock, flushEveryMs: 0, timeoutMs: 2_000, onCritical: (s) => signals.push(s.kind) });
    recorder.request({ api: "test.down", code: "ok", ms: 3 });
    expect(await recorder.flush()).toBe(false);
    recorder.request({ api: "test.down", code: "ok", ms: 3 });
    expect(await recorder.flush()).toBe(false);
    // Two batches of three fields (count, latency bucket, latency sum), each kept whole to be sent again under its id.
    expect(recorder.pendingFields()).toBe(6);
    expect(signals).toEqual(["redis-unreachable"]);
  });

  it("counts a batch once when its first send timed out but landed, and it is sent again", async () => {
    const name = `test.${randomUUID().slice(0, 8)}`;
    const real = upstashClient();
    let slowOnce = true;
    // Redis applies the first pipeline, but its answer arrives after the flush gave up on it.
    const laggy = {
      set: real.set.bind(real),
      pipeline: () => {
        const pipeline = real.pipeline();
        const exec = pipeline.exec.bind(pipeline);
        return Object.assign(pipeline, {
          exec: async () => {
            const results = await exec();
            if (slowOnce) {
              slowOnce = false;
              await new Promise((resolve) => setTimeout(resolve, 300));
            }
            return results;
          },
        });
      },
    } as unknown as Parameters<typeof createMetricsRecorder>[0]["redis"];
    const started = systemClock.now();
    const recorder = createMetricsRecorder({ redis: laggy, clock: systemClock, flushEveryMs: 0, timeoutMs: 100 });
    recorder.request({ api: name, code: "ok", ms: 3 });
    expect(await recorder.flush()).toBe(false);
    recorder.request({ api: name, code: "ok", ms: 3 });
    expect(await recorder.flush()).toBe(true);
    expect(recorder.pendingFields()).toBe(0);
    const minutes = [...new Set([minuteOf(started), minuteOf(systemClock.now())])];
    const fields = await Promise.all(minutes.map((m) => real.hgetall<Record<string, unknown>>(minuteKey(m))));
    const ok = fields.reduce((n, f) => n + (decodeFields(f ?? {}).apis[name]?.codes.ok ?? 0), 0);
    expect(ok).toBe(2);
  });

  it("raises a server-error burst once per cooldown, from the request path, without waiting for Redis", () => {
    const signals: Array<{ kind: string; count: number }> = [];
    const recorder = createMetricsRecorder({ redis: null, clock: systemClock, burstThreshold: 5, onCritical: (s) => signals.push(s) });
    for (let i = 0; i < 12; i++) recorder.request({ api: "rest:GET /v1/x", code: "500", ms: 1 });
    expect(signals).toEqual([expect.objectContaining({ kind: "server-error-burst", count: 5 })]);
  });
});

describe("rollup into Firestore", () => {
  const redis = upstashClient();

  it("writes each complete minute once, adds it to its hour and day, and serves the windows", async () => {
    const db = monitoringDb();
    // Its own stretch of time: a minute hash nobody else writes, and a cursor of its own (fresh database path below).
    const base = minuteOf(Date.UTC(2031, 0, 1) + Math.floor(Math.random() * 500_000) * 60_000);
    const clock = manualClock(base + 10_000);
    const recorder = createMetricsRecorder({ redis, clock, flushEveryMs: 0 });
    for (let i = 0; i < 40; i++) recorder.request({ api: "rest:GET /v1/things", code: i < 38 ? "200" : "503", ms: 30 });
    recorder.count("rate_limit.fallback", 4);
    await recorder.flush();
    await db.doc("monitoringState/rollup").set({ lastMinute: base - 60_000 });

    const rollup = createMetricsRollup({ db, redis, clock });
    clock.set(base + 60_000 + 6_000);
    expect(await rollup.rollup()).toEqual([base]);
    // A retried run finds the minute done.
    expect(await rollup.rollup()).toEqual([]);

    const minute = decodeCounts((await db.doc(periodPath("minute", base)).get()).data());
    expect(minute.apis["rest:GET /v1/things"]?.codes).toEqual({ "200": 38, "503": 2 });
    expect(minute.counters["rate_limit.fallback"]).toBe(4);
    const day = decodeCounts((await db.doc(periodPath("day", base)).get()).data());
    expect(day.apis["rest:GET /v1/things"]?.codes["503"]).toBeGreaterThanOrEqual(2);

    const windows = await readWindows(db, clock, ["5m", "1h"]);
    expect(windows["5m"].apis["rest:GET /v1/things"]?.codes).toEqual({ "200": 38, "503": 2 });

    await rollup.publishLive(base);
    const live = await db.doc(LIVE_DOC).get();
    expect(live.get("current.summary")).toMatchObject({ requests: 40, serverErrors: 2 });
  });
});

describe("alert state machine", () => {
  let server: http.Server;
  let url: string;
  const received: Array<{ path: string; body: { text?: string; subject?: string } }> = [];
  let failNext = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        if (failNext > 0) {
          failNext--;
          res.statusCode = 500;
          res.end();
          return;
        }
        received.push({ path: req.url ?? "", body: JSON.parse(body) as { text?: string } });
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("opens and notifies once, de-duplicates while firing, resolves and notifies, keeping the history", async () => {
    const db = monitoringDb();
    const ruleId = "error-rate";
    await db.doc(`${ALERTS}/${ruleId}`).delete();
    const clock = manualClock(Date.UTC(2032, 0, 1) + Math.floor(Math.random() * 1_000_000) * 60_000);
    const notify = createAlertNotifier({ http: createWebhookHttp({ allowLoopback: true, allowHttp: true }), slackUrl: () => `${url}/slack`, emailUrl: () => `${url}/email` });
    const alerts = createAlertState({ db, clock, notify });
    const firing = { value: 0.2, threshold: 0.05, summary: "Server errors are 0.2 of requests", source: "evaluation" as const };
    received.length = 0;

    expect(await alerts.apply(ruleId, true, firing)).toBe("opened");
    clock.advance(60_000);
    expect(await alerts.apply(ruleId, true, firing)).toBe("repeated");
    expect(received.map((r) => r.path).sort()).toEqual(["/email", "/slack"]);
    expect(received.find((r) => r.path === "/slack")?.body.text).toContain("[CRITICAL] error-rate");

    clock.advance(60_000);
    expect(await alerts.apply(ruleId, false, { ...firing, value: 0.01 })).toBe("resolved");
    expect(received.filter((r) => r.body.text?.includes("[RESOLVED] error-rate"))).toHaveLength(2);
    const stored = alertRecord.parse((await db.doc(`${ALERTS}/${ruleId}`).get()).data());
    expect(stored).toMatchObject({ status: "resolved", notified: "resolved", occurrences: 2 });
    const history = await db.collection(ALERT_HISTORY).where("ruleId", "==", ruleId).where("at", ">=", stored.openedAt).where("at", "<=", stored.resolvedAt).get();
    expect(history.docs.map((d) => d.get("event")).sort()).toEqual(["opened", "resolved"]);
  });

  it("retries a notification that failed, and resolves a signal alert once quiet", async () => {
    const db = monitoringDb();
    const ruleId = "critical-redis-unreachable";
    await db.doc(`${ALERTS}/${ruleId}`).delete();
    const clock = manualClock(Date.UTC(2033, 0, 1) + Math.floor(Math.random() * 1_000_000) * 60_000);
    const notify = createAlertNotifier({ http: createWebhookHttp({ allowLoopback: true, allowHttp: true }), slackUrl: () => `${url}/slack`, emailUrl: () => "" });
    const alerts = createAlertState({ db, clock, notify });
    received.length = 0;
    failNext = 1;
    expect(await alerts.apply(ruleId, true, { value: 1, threshold: null, summary: "Redis is unreachable", source: "signal" })).toBe("opened");
    expect(received).toHaveLength(0);
    expect(alertRecord.parse((await db.doc(`${ALERTS}/${ruleId}`).get()).data()).notified).toBeNull();
    await alerts.retryNotifications();
    expect(received).toHaveLength(1);

    clock.advance(4 * 60_000);
    expect((await alerts.applyEvaluations([]))[ruleId]).toBeUndefined();
    clock.advance(2 * 60_000);
    expect((await alerts.applyEvaluations([]))[ruleId]).toBe("resolved");
  });
});
