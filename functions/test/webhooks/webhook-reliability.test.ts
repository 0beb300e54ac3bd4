import { getFirestore } from "firebase-admin/firestore";
import { firebaseApp } from "../../src/app/clients";
import { WEBHOOK_DELIVERIES } from "../../src/webhooks/webhook-records";
import type { WebhookHttp } from "../../src/webhooks/webhook-http";
import { webhookHarness } from "./webhook-harness";

/** Mulberry32: a seeded generator, so the receiver's failures are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EVENTS = 1_000;

describe("webhook reliability", () => {
  // About 15 s against an idle local Firestore server; under the whole suite (the emulators and
  // the other jest worker on the same 2 cores) it has taken over 60 s, so the bound is generous:
  // this test proves delivery, not speed (bench/webhooks.ts measures that).
  jest.setTimeout(240_000);

  it("delivers >= 99.9% of 1,000 events to a receiver failing 30% of attempts, dead-letters the rest, loses none", async () => {
    const fail = seeded(12345);
    const seen = new Map<string, number>();
    // The receiver, in process (the transport is injected): 30% of attempts answer 500.
    const http: WebhookHttp = async (request) => {
      const id = request.headers["webhook-id"] ?? "";
      seen.set(id, (seen.get(id) ?? 0) + 1);
      return fail() < 0.3 ? { kind: "response", status: 500, retryAfter: null, body: "boom" } : { kind: "response", status: 200, retryAfter: null, body: "ok" };
    };
    // Auto-disable is out of scope here (a 30% failure rate never fails 20 in a row for a day anyway).
    const started = Date.now();
    // A database of its own: the sweeper looks at every due delivery, and this test's clock runs
    // minutes ahead, so on the shared database it would take other tests' retries.
    const db = getFirestore(firebaseApp(), "webhook-reliability");
    db.settings({ ignoreUndefinedProperties: true });
    const h = await webhookHarness({}, { http, random: seeded(7), db });
    const { endpoint } = await h.webhooks.create(h.owner, { workspaceId: h.workspaceId, url: "https://receiver.example.com/hook", eventTypes: ["execution.completed"], limits: { concurrency: 100 } });
    for (let i = 0; i < EVENTS; i += 50) await Promise.all(Array.from({ length: 50 }, () => h.dispatcher.fanOut(h.event())));
    await h.drain();
    // Retries: 8 attempts, delays of at most 1+2+...+64 s; the sweeper runs every minute of manual time.
    for (let minute = 0; minute < 10; minute++) await h.tick(60_000);

    const snap = await h.db.collection(WEBHOOK_DELIVERIES).where("endpointId", "==", endpoint.id).get();
    const states = new Map<string, number>();
    for (const doc of snap.docs) states.set(doc.get("state") as string, (states.get(doc.get("state") as string) ?? 0) + 1);
    const delivered = states.get("delivered") ?? 0;
    const dead = states.get("dead") ?? 0;
    const attempts = [...seen.values()].reduce((a, b) => a + b, 0);
    const dlq = await h.webhooks.listDeliveries(h.owner, { workspaceId: h.workspaceId, endpointId: endpoint.id, state: "dead", limit: 100 });
    console.log(JSON.stringify({ events: EVENTS, deliveries: snap.size, delivered, dead, deadLetterQueue: dlq.items.length, other: snap.size - delivered - dead, attempts, deliveryRate: delivered / EVENTS, seconds: (Date.now() - started) / 1000 }));
    expect(snap.size).toBe(EVENTS);
    expect(delivered + dead).toBe(EVENTS);
    expect(delivered / EVENTS).toBeGreaterThanOrEqual(0.999);
    expect(dlq.items).toHaveLength(dead);
    expect(seen.size).toBe(EVENTS);
  });
});
