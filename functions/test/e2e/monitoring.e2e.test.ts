import { performance } from "node:perf_hooks";
import { DOMAIN_EVENTS_TOPIC } from "../../src/events/outbox-publisher";
import { DEAD_LETTERS } from "../../src/lib/workers";
import { CRITICAL_SIGNALS_TOPIC } from "../../src/monitoring/critical-signals";
import { ALERTS, decodeCounts, LIVE_DOC } from "../../src/monitoring/monitoring-records";
import { callCallable, signUpTestUser } from "../helpers/emulators";
import { closePubSub, eventually, publish } from "../helpers/events";
import { testDb } from "../helpers/firestore";

/**
 * Monitoring through the emulators, as deployed: a callable's request reaches the live view
 * (`metrics/current`, which admins' clients listen to) through the recorder's flush, and dead
 * letters piling up in a Pub/Sub consumer open their alert through the critical event path
 * (`critical-signals` published by the consumer's instance, `onCriticalSignal` delivered by the
 * event relay). The delays are printed (docs/monitoring.md quotes them), not asserted.
 */
jest.setTimeout(240_000);

describe("monitoring through the emulators", () => {
  afterAll(() => closePubSub());

  it("a callable's request appears in the live view a listener receives", async () => {
    const user = await signUpTestUser("monitoring");
    const db = testDb();
    // Counts per minute id: a request flushed just before a minute turns is found under `previous`.
    const okOf = (data: FirebaseFirestore.DocumentData | undefined): Record<string, number> => {
      const ok = (counts: unknown) => decodeCounts(counts).apis["callable:workspaces.list"]?.codes.ok ?? 0;
      if (!data || typeof data.minute !== "string") return {};
      const previous = new Date(Date.parse(`${data.minute}:00Z`) - 60_000).toISOString().slice(0, 16);
      return { [data.minute]: ok(data.current), [previous]: ok(data.previous) };
    };
    const grew = (before: Record<string, number>, now: Record<string, number>) => Object.entries(now).some(([minute, n]) => n > (before[minute] ?? 0));
    // A first call starts the function's worker process (cold start), not measured.
    expect((await callCallable("listWorkspaces", {}, user.idToken)).status).toBe(200);
    await eventually("the first request in the live view", async () => (grew({}, okOf((await db.doc(LIVE_DOC).get()).data())) ? true : undefined), 90_000);

    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const before = okOf((await db.doc(LIVE_DOC).get()).data());
      let sentAt = 0;
      const seen = new Promise<number>((resolve) => {
        const stop = db.doc(LIVE_DOC).onSnapshot((snap) => {
          if (sentAt && grew(before, okOf(snap.data()))) {
            stop();
            resolve(performance.now() - sentAt);
          }
        });
      });
      sentAt = performance.now();
      expect((await callCallable("listWorkspaces", {}, user.idToken)).status).toBe(200);
      delays.push(await seen);
    }
    console.log(`request -> live view through the Functions emulator: ${delays.map((d) => d.toFixed(0)).join(", ")} ms`);
    expect(delays).toHaveLength(5);
  });

  it("dead letters piling up in a consumer open their alert through the critical-signals path", async () => {
    const db = testDb();
    const ref = db.doc(`${ALERTS}/critical-dead-letters`);
    const openAfter = (since: () => number) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("critical-dead-letters did not open within 120 s")), 120_000);
        const stop = ref.onSnapshot((snap) => {
          if (since() && snap.get("status") === "open") {
            clearTimeout(timer);
            stop();
            resolve(performance.now() - since());
          }
        });
      });

    // The signal's own leg, warm: published to critical-signals -> relay -> onCriticalSignal -> alert seen.
    await ref.delete();
    await publish(CRITICAL_SIGNALS_TOPIC, { kind: "dead-letter-growth", count: 0, windowMs: 0, at: Date.now() });
    await openAfter(() => 1);
    await ref.delete();
    let signalAt = 0;
    const signalled = openAfter(() => signalAt);
    signalAt = performance.now();
    await publish(CRITICAL_SIGNALS_TOPIC, { kind: "dead-letter-growth", count: 0, windowMs: 0, at: Date.now() });
    const signalDelay = await signalled;
    await ref.delete();

    // The whole path: poison messages to a warm consumer, one at a time, until its instance has seen 3 within seconds.
    const deadLettered = async () => (await db.collection(DEAD_LETTERS).where("worker", "==", "events.count").count().get()).data().count;
    let lastPublishAt = 0;
    const opened = openAfter(() => lastPublishAt);
    let alertOpen = false;
    opened.then(() => (alertOpen = true)).catch(() => undefined);
    // Under the whole suite another test may have made that instance signal within its 1-minute
    // cooldown: keep going, one message at a time, until the alert opens (80 s at most).
    const deadline = Date.now() + 80_000;
    for (let i = 0; !alertOpen && Date.now() < deadline; i++) {
      const before = await deadLettered();
      const at = performance.now();
      await publish(DOMAIN_EVENTS_TOPIC, { poison: i });
      lastPublishAt = at;
      await eventually("the poison message dead-lettered", async () => ((await deadLettered()) > before ? true : undefined));
      if (i >= 3) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const delay = await opened;
    console.log(`critical-signals -> onCriticalSignal -> alert seen by a listener: ${signalDelay.toFixed(0)} ms; poison message -> dead letter -> signal -> alert open: ${delay.toFixed(0)} ms`);
    const alert = await ref.get();
    expect(alert.get("source")).toBe("signal");
    expect(alert.get("runbook")).toBe("monitoring/runbooks/critical-dead-letters.md");
  });
});
