/**
 * Monitoring's cost and speed.
 *
 *   npm run bench:metrics [-- --requests 20000]
 *
 * 1. Added latency: the callable path (`callableHandler`) with and without the metrics recorder,
 *    alternating rounds in the same run, for a bare handler (the recorder's cost alone, in µs)
 *    and for a handler doing one Redis GET (a realistic cheapest request); the ratio is printed.
 *    The recorder flushes to Redis at most once a second, from a request's tail, bounded at 15 ms.
 * 2. Delays, when FIRESTORE_EMULATOR_HOST and PUBSUB_EMULATOR_HOST point at the local servers:
 *    request -> live view (a Firestore listener on `metrics/current` sees the request) and
 *    error -> alert (a burst of 5xx, the `critical-signals` message, the consumer, a listener
 *    sees `alerts/critical-server-errors` open). In-process consumers stand in for Eventarc.
 */
import { PubSub } from "@google-cloud/pubsub";
import { getFirestore } from "firebase-admin/firestore";
import type { CallableRequest } from "firebase-functions/v2/https";
import { z } from "zod";
import { firebaseApp } from "../functions/src/app/clients";
import { callableHandler, type CallableGuard } from "../functions/src/lib/callable";
import { systemClock } from "../functions/src/lib/clock";
import { createMetricsRecorder, type RequestObserver } from "../functions/src/lib/metrics";
import { pubsubEvent } from "../functions/src/lib/workers";
import { CRITICAL_SIGNALS_TOPIC } from "../functions/src/monitoring/critical-signals";
import { createMonitoring } from "../functions/src/monitoring/monitoring";
import { ALERTS, decodeCounts, LIVE_DOC } from "../functions/src/monitoring/monitoring-records";
import { startBenchStack } from "./cache/stack";
import { ms, summarize, timed, us } from "./cache/stats";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const REQUESTS = arg("requests", 20_000);
const ROUNDS = 4;

const allowAll: CallableGuard = { limit: async () => undefined, reportFailure: async () => undefined };
const request = { data: { n: 1 }, auth: { uid: "bench", token: { uid: "bench" } }, rawRequest: { headers: {} } } as unknown as CallableRequest<unknown>;
const handlerOf = (handle: () => Promise<unknown>, observer?: RequestObserver) =>
  callableHandler({ name: "bench.op", input: z.strictObject({ n: z.number() }), rateLimit: { policy: "read" }, handle }, allowAll, observer);

async function series(handler: (r: CallableRequest<unknown>) => Promise<unknown>, n: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await timed(() => handler(request)));
  return samples;
}

async function compare(label: string, handle: () => Promise<unknown>, observer: RequestObserver, n: number): Promise<void> {
  const without: number[] = [];
  const withRecorder: number[] = [];
  const bare = handlerOf(handle);
  const recorded = handlerOf(handle, observer);
  await series(bare, Math.min(500, n));
  await series(recorded, Math.min(500, n));
  for (let round = 0; round < ROUNDS; round++) {
    without.push(...(await series(bare, Math.ceil(n / ROUNDS))));
    withRecorder.push(...(await series(recorded, Math.ceil(n / ROUNDS))));
  }
  const a = summarize(without);
  const b = summarize(withRecorder);
  const fmt = (ns: number) => (ns < 1e6 ? us(ns) : ms(ns));
  console.log(`${label}`);
  console.log(`  without recorder  mean ${fmt(a.meanNs)}  p50 ${fmt(a.p50Ns)}  p99 ${fmt(a.p99Ns)}  (n=${a.n})`);
  console.log(`  with recorder     mean ${fmt(b.meanNs)}  p50 ${fmt(b.p50Ns)}  p99 ${fmt(b.p99Ns)}  (n=${b.n})`);
  console.log(`  added: mean ${fmt(b.meanNs - a.meanNs)}, p50 ${fmt(b.p50Ns - a.p50Ns)}; ratio with/without: mean ${(b.meanNs / a.meanNs).toFixed(3)}, p50 ${(b.p50Ns / a.p50Ns).toFixed(3)}, p99 ${(b.p99Ns / a.p99Ns).toFixed(3)}`);
}

async function delays(redis: Awaited<ReturnType<typeof startBenchStack>>["redis"]): Promise<void> {
  if (!process.env.FIRESTORE_EMULATOR_HOST || !process.env.PUBSUB_EMULATOR_HOST) {
    console.log("\ndelays: skipped (set FIRESTORE_EMULATOR_HOST and PUBSUB_EMULATOR_HOST to the local servers)");
    return;
  }
  const db = getFirestore(firebaseApp(), "monitoring-bench");
  const pubsub = new PubSub({ projectId: process.env.GCLOUD_PROJECT ?? "demo-rag-prompt-library" });
  const [topic] = await pubsub.topic(CRITICAL_SIGNALS_TOPIC).get({ autoCreate: true });
  const subName = `bench-critical-${process.pid}`;
  const [subscription] = await topic.createSubscription(subName);
  const publisher = { publish: (name: string, message: { data: Buffer; attributes: Record<string, string> }) => pubsub.topic(name).publishMessage({ data: message.data, attributes: message.attributes }) };

  // Request -> live view.
  const monitoring = createMonitoring({ db, redis, clock: systemClock, publisher });
  const op = handlerOf(async () => "ok", monitoring.recorder);
  const okCount = (current: unknown) => decodeCounts(current).apis["callable:bench.op"]?.codes.ok ?? 0;
  const liveDelays: number[] = [];
  let expected = -1;
  let sentAt = 0;
  let seen: (() => void) | undefined;
  const stop = db.doc(LIVE_DOC).onSnapshot((snap) => {
    const requests = okCount(snap.get("current"));
    if (requests >= expected && seen) {
      liveDelays.push(performance.now() - sentAt);
      seen();
      seen = undefined;
    }
  });
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const before = okCount((await db.doc(LIVE_DOC).get()).get("current"));
    expected = before + 1;
    const arrived = new Promise<void>((resolve) => (seen = resolve));
    sentAt = performance.now();
    await op(request);
    await Promise.race([arrived, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  stop();
  const live = summarize(liveDelays.map((x) => x * 1e6));
  console.log(`\nrequest -> live view (metrics/current listener): n=${live.n}  p50 ${ms(live.p50Ns)}  max ${ms(Math.max(...liveDelays) * 1e6)}`);

  // Error -> alert, through Pub/Sub.
  const alertDelays: number[] = [];
  for (let i = 0; i < 5; i++) {
    await db.doc(`${ALERTS}/critical-server-errors`).delete();
    const m = createMonitoring({ db, redis, clock: systemClock, publisher, settings: { slackUrl: () => "", emailUrl: () => "", burstThreshold: 5 } });
    const failing = handlerOf(async () => {
      throw new Error("bench failure");
    }, m.recorder);
    const onMessage = (message: { id: string; data: Buffer; publishTime: { toISOString(): string }; ack(): void }) => {
      message.ack();
      void m.workers.criticalSignal(pubsubEvent({ id: message.id, data: { message: { data: message.data.toString("base64"), messageId: message.id, publishTime: message.publishTime.toISOString() } } } as never));
    };
    subscription.on("message", onMessage);
    let opened: () => void = () => {};
    const open = new Promise<void>((resolve) => (opened = resolve));
    const unwatch = db.doc(`${ALERTS}/critical-server-errors`).onSnapshot((snap) => {
      if (snap.get("status") === "open") opened();
    });
    for (let e = 0; e < 4; e++) await failing(request).catch(() => undefined);
    const errorAt = performance.now();
    await failing(request).catch(() => undefined);
    await Promise.race([open, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    alertDelays.push(performance.now() - errorAt);
    unwatch();
    subscription.removeListener("message", onMessage);
  }
  const alert = summarize(alertDelays.map((x) => x * 1e6));
  console.log(`5xx burst -> alert open (critical-signals -> consumer -> alerts listener): n=${alert.n}  p50 ${ms(alert.p50Ns)}  max ${ms(Math.max(...alertDelays) * 1e6)}`);
  await subscription.close();
  await subscription.delete();
  await pubsub.close();
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  console.log(`monitoring bench: ${REQUESTS} sequential requests per variant, ${ROUNDS} alternating rounds; ${stack.describe}\n`);
  const recorder = createMetricsRecorder({ redis: stack.redis, clock: systemClock });
  await compare("bare callable (the recorder's own cost)", async () => "ok", recorder, REQUESTS);
  await stack.redis.set("bench:metrics:key", "v");
  await compare("callable doing one Redis GET", () => stack.redis.get("bench:metrics:key"), recorder, Math.min(REQUESTS, 4_000));
  await recorder.flush();
  await delays(stack.redis);
  await stack.stop();
  process.exit(0);
}

void main();
