import { performance } from "node:perf_hooks";
import { DOMAIN_EVENTS_TOPIC } from "../../src/events/outbox-publisher";
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
jest.setTimeout(120_000);

describe("monitoring through the emulators", () => {
  afterAll(() => closePubSub());

  it("a callable's request appears in the live view a listener receives", async () => {
    const user = await signUpTestUser("monitoring");
    const db = testDb();
    const okOf = (current: unknown) => decodeCounts(current).apis["callable:workspaces.list"]?.codes.ok ?? 0;
    // A first call starts the function's worker process (cold start), not measured.
    expect((await callCallable("listWorkspaces", {}, user.idToken)).status).toBe(200);
    await eventually("the first request in the live view", async () => (okOf((await db.doc(LIVE_DOC).get()).get("current")) > 0 ? true : undefined));

    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const before = okOf((await db.doc(LIVE_DOC).get()).get("current"));
      let sentAt = 0;
      const seen = new Promise<number>((resolve) => {
        const stop = db.doc(LIVE_DOC).onSnapshot((snap) => {
          if (sentAt && okOf(snap.get("current")) > before) {
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
    await ref.delete();
    let publishedAt = 0;
    const opened = new Promise<number>((resolve) => {
      const stop = ref.onSnapshot((snap) => {
        if (publishedAt && snap.get("status") === "open") {
          stop();
          resolve(performance.now() - publishedAt);
        }
      });
    });
    // Poison for every consumer of domain-events: each delivery is dead-lettered (and counted).
    for (let i = 0; i < 3; i++) await publish(DOMAIN_EVENTS_TOPIC, { poison: i });
    publishedAt = performance.now();
    const delay = await Promise.race([opened, new Promise<number>((_, reject) => setTimeout(() => reject(new Error("critical-dead-letters did not open within 60 s")), 60_000))]);
    console.log(`3 poison messages -> critical-dead-letters open (dead-letter, signal, relay, onCriticalSignal): ${delay.toFixed(0)} ms after the last publish`);
    const alert = await ref.get();
    expect(alert.get("source")).toBe("signal");
    expect(alert.get("runbook")).toBe("monitoring/runbooks/critical-dead-letters.md");
  });
});
