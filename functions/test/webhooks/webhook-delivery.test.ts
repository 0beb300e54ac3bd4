import { readRecord } from "../../src/lib/firestore-records";
import { storedDeliverySchema, WEBHOOK_DELIVERIES, deliveryIdOf, webhookIdOf } from "../../src/webhooks/webhook-records";
import { startReceiver, webhookHarness } from "./webhook-harness";

type Harness = Awaited<ReturnType<typeof webhookHarness>>;
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

async function delivery(h: Harness, endpointId: string, eventId: string) {
  return readRecord(await h.db.doc(`${WEBHOOK_DELIVERIES}/${deliveryIdOf(endpointId, eventId)}`).get(), storedDeliverySchema, { kind: "d" });
}

describe("webhook delivery against local receivers", () => {
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  async function setup(answer: Parameters<typeof startReceiver>[0], eventTypes: string[] = ["execution.completed"]) {
    const h = await webhookHarness();
    const r = await receiver(answer);
    const { endpoint, secret } = await h.webhooks.create(h.owner, { workspaceId: h.workspaceId, url: r.url, eventTypes: eventTypes as never });
    r.expectSecrets([secret]);
    return { h, r, endpoint, secret };
  }

  it("delivers a signed event once, verified by standardwebhooks", async () => {
    const { h, r, endpoint } = await setup(() => ({ status: 200, body: "ok" }));
    const event = h.event();
    await h.dispatcher.fanOut(event);
    await h.drain();
    expect(r.received).toHaveLength(1);
    expect(r.received[0]).toMatchObject({ id: webhookIdOf(deliveryIdOf(endpoint.id, event.id)), verified: true });
    expect(JSON.parse(r.received[0]?.body ?? "")).toEqual({ type: "execution.completed", timestamp: event.occurredAt, data: expect.objectContaining({ executionId: "x1", workspaceId: h.workspaceId }) });
    const stored = await delivery(h, endpoint.id, event.id);
    expect(stored).toMatchObject({ state: "delivered", totalAttempts: 1 });
    expect(stored?.attempts[0]).toMatchObject({ statusCode: 200, ok: true, response: "ok" });
    // A redelivered domain event and a duplicate message change nothing.
    await h.dispatcher.fanOut(event);
    await h.dispatcher.deliver(deliveryIdOf(endpoint.id, event.id));
    await h.drain();
    expect(r.received).toHaveLength(1);
  });

  it("retries a receiver that fails twice with the same webhook-id, then delivers", async () => {
    const { h, r, endpoint } = await setup((n) => ({ status: n <= 2 ? 500 : 204 }));
    const event = h.event();
    await h.dispatcher.fanOut(event);
    await h.drain();
    expect((await delivery(h, endpoint.id, event.id))?.state).toBe("scheduled");
    for (let i = 0; i < 5 && r.received.length < 3; i++) await h.tick(5_000);
    expect(r.received.map((x) => x.id)).toEqual(Array(3).fill(webhookIdOf(deliveryIdOf(endpoint.id, event.id))));
    expect(r.received.every((x) => x.verified)).toBe(true);
    const stored = await delivery(h, endpoint.id, event.id);
    expect(stored?.state).toBe("delivered");
    expect(stored?.attempts.map((a) => a.statusCode)).toEqual([500, 500, 204]);
    const [stats] = await h.webhooks.stats(h.owner, { workspaceId: h.workspaceId, endpointId: endpoint.id });
    expect(stats).toMatchObject({ attempts: 3, successes: 1, failures: 2, failuresByReason: { "http-5xx": 2 }, state: "healthy" });
    expect(stats?.byEventType["execution.completed"]?.attempts).toBe(3);
  });

  it("dead-letters after the last attempt with its history, and replays it with the same webhook-id", async () => {
    let failing = true;
    const { h, r, endpoint } = await setup(() => ({ status: failing ? 503 : 200, body: "x".repeat(5000) }));
    await h.webhooks.update(h.owner, { workspaceId: h.workspaceId, endpointId: endpoint.id, retry: { maxAttempts: 3 } });
    const event = h.event();
    await h.dispatcher.fanOut(event);
    await h.drain();
    for (let i = 0; i < 6; i++) await h.tick(10_000);
    const dead = await delivery(h, endpoint.id, event.id);
    expect(dead?.state).toBe("dead");
    expect(dead?.attempts).toHaveLength(3);
    expect(Buffer.byteLength(dead?.attempts[0]?.response ?? "")).toBe(1024);
    const dlq = await h.webhooks.listDeliveries(h.owner, { workspaceId: h.workspaceId, endpointId: endpoint.id, state: "dead" });
    expect(dlq.items.map((d) => d.eventId)).toEqual([event.id]);
    failing = false;
    await h.webhooks.replay(h.owner, h.workspaceId, deliveryIdOf(endpoint.id, event.id));
    await h.drain();
    expect((await delivery(h, endpoint.id, event.id))?.state).toBe("delivered");
    expect(new Set(r.received.map((x) => x.id)).size).toBe(1);
    expect(r.received).toHaveLength(4);
  });

  it("disables the endpoint at once on 410 Gone, emits webhook.endpoint_disabled, and holds later events", async () => {
    const { h, r, endpoint } = await setup(() => ({ status: 410 }));
    const event = h.event();
    await h.dispatcher.fanOut(event);
    await h.drain();
    expect((await delivery(h, endpoint.id, event.id))?.state).toBe("dead");
    const view = await h.webhooks.get(h.owner, h.workspaceId, endpoint.id);
    expect(view).toMatchObject({ enabled: false, disabledReason: "gone", state: "disabled" });
    const events = await h.db.collection("events").where("workspaceId", "==", h.workspaceId).where("type", "==", "webhook.endpoint_disabled").get();
    expect(events.docs.map((d) => d.get("data"))).toEqual([expect.objectContaining({ endpointId: endpoint.id, reason: "gone" })]);
    const later = h.event();
    await h.dispatcher.fanOut(later);
    await h.drain();
    expect((await delivery(h, endpoint.id, later.id))?.state).toBe("held");
    expect(r.received).toHaveLength(1);
  });

  it("disables an endpoint only after 20 failures in a row over 24 h, counted without writing the endpoint per attempt", async () => {
    const { h, r, endpoint } = await setup(() => ({ status: 500 }));
    await h.webhooks.update(h.owner, { workspaceId: h.workspaceId, endpointId: endpoint.id, retry: { maxAttempts: 1 } });
    const updates: number[] = [];
    const unsubscribe = h.db.doc(`webhookEndpoints/${endpoint.id}`).onSnapshot((snap) => updates.push(snap.updateTime?.toMillis() ?? 0));
    // 10 failures at once: one state change (healthy to failing), not 10 writes.
    await Promise.all(Array.from({ length: 10 }, () => h.dispatcher.fanOut(h.event())));
    await h.drain();
    expect(await h.webhooks.get(h.owner, h.workspaceId, endpoint.id)).toMatchObject({ state: "failing", enabled: true });
    for (let i = 0; i < 12; i++) {
      h.clock.advance(2 * 3_600_000);
      await h.dispatcher.fanOut(h.event());
      await h.drain();
    }
    unsubscribe();
    const view = await h.webhooks.get(h.owner, h.workspaceId, endpoint.id);
    expect(view).toMatchObject({ enabled: false, disabledReason: "failing", state: "disabled", consecutiveFailures: 22 });
    expect(r.received).toHaveLength(22);
    // The first snapshot, the policy update, one per 2-hourly heartbeat (12) and the disabling at most.
    expect(updates.length).toBeLessThanOrEqual(16);
    const events = await h.db.collection("events").where("workspaceId", "==", h.workspaceId).where("type", "==", "webhook.endpoint_disabled").get();
    expect(events.docs.map((d) => d.get("data"))).toEqual([expect.objectContaining({ endpointId: endpoint.id, reason: "failing", consecutiveFailures: 22 })]);
  });

  it("honours Retry-After on 429", async () => {
    const { h, r, endpoint } = await setup((n) => (n === 1 ? { status: 429, headers: { "retry-after": "120" } } : { status: 200 }));
    const event = h.event();
    await h.dispatcher.fanOut(event);
    await h.drain();
    const waiting = await delivery(h, endpoint.id, event.id);
    expect((waiting?.dueAt.toMillis() ?? 0) - h.clock.now()).toBe(120_000);
    await h.tick(60_000);
    expect(r.received).toHaveLength(1);
    await h.tick(61_000);
    expect(r.received).toHaveLength(2);
  });

  it("does not follow redirects, and times out a receiver that hangs", async () => {
    const redirect = await setup(() => ({ status: 302, headers: { location: "http://169.254.169.254/latest/meta-data" } }));
    const e1 = redirect.h.event();
    await redirect.h.dispatcher.fanOut(e1);
    await redirect.h.drain();
    expect((await delivery(redirect.h, redirect.endpoint.id, e1.id))?.attempts[0]).toMatchObject({ statusCode: 302, ok: false, reason: "redirect" });
    expect(redirect.r.received).toHaveLength(1);

    const slow = await setup(() => ({ status: 200, hangMs: 4_000 }));
    const e2 = slow.h.event();
    await slow.h.dispatcher.fanOut(e2);
    await slow.h.drain();
    expect((await delivery(slow.h, slow.endpoint.id, e2.id))?.attempts[0]).toMatchObject({ statusCode: null, ok: false, reason: "timeout" });
  });

  it("redelivers with the same webhook-id when the worker dies mid-attempt (the sweeper takes the lease back)", async () => {
    const { h, r, endpoint } = await setup(() => ({ status: 200 }));
    const event = h.event();
    await h.dispatcher.fanOut(event);
    const id = deliveryIdOf(endpoint.id, event.id);
    // A worker claims the attempt and dies before recording it: the delivery is left in flight.
    const crashed = await h.db.runTransaction(async (tx) => {
      const snap = await tx.get(h.db.doc(`${WEBHOOK_DELIVERIES}/${id}`));
      tx.update(snap.ref, { state: "in_flight", leaseToken: "dead-worker", leaseUntil: new Date(h.clock.now() + 90_000), sweepAt: new Date(h.clock.now() + 90_000), roundAttempts: 1, totalAttempts: 1 });
      return snap.id;
    });
    h.published.length = 0;
    await h.tick(30_000);
    expect(r.received).toHaveLength(0);
    await h.tick(61_000);
    for (let i = 0; i < 3 && r.received.length === 0; i++) await h.tick(2_000);
    expect(r.received.map((x) => x.id)).toEqual([webhookIdOf(crashed)]);
    const stored = await delivery(h, endpoint.id, event.id);
    expect(stored?.state).toBe("delivered");
    expect(stored?.attempts.map((a) => a.reason)).toEqual(["interrupted", null]);
  });

  it("signs with both secrets during a rotation, and with the new one only after the old is revoked", async () => {
    const { h, r, endpoint, secret } = await setup(() => ({ status: 200 }));
    const rotated = await h.webhooks.rotateSecret(h.owner, h.workspaceId, endpoint.id);
    expect(rotated.endpoint.secrets).toHaveLength(2);
    r.expectSecrets([secret, rotated.secret]);
    await h.dispatcher.fanOut(h.event());
    await h.drain();
    expect(r.received[0]?.signature.split(" ")).toHaveLength(2);
    expect(r.received[0]?.verified).toBe(true);
    await h.webhooks.revokeOldSecrets(h.owner, h.workspaceId, endpoint.id);
    r.expectSecrets([rotated.secret]);
    await h.dispatcher.fanOut(h.event());
    await h.drain();
    expect(r.received[1]?.signature.split(" ")).toHaveLength(1);
    expect(r.received[1]?.verified).toBe(true);
  });

  it("refuses non-admins, API keys and private URLs", async () => {
    const { h, endpoint } = await setup(() => ({ status: 200 }));
    await h.addMember("editor-1", "editor");
    await expect(h.webhooks.list({ kind: "user", uid: "editor-1" }, h.workspaceId)).rejects.toMatchObject({ code: "permission-denied" });
    await expect(h.webhooks.get({ kind: "user", uid: "stranger" }, h.workspaceId, endpoint.id)).rejects.toMatchObject({ code: "not-found" });
    const key = { kind: "apiKey" as const, keyId: "k", workspaceId: h.workspaceId, scopes: ["prompts:read" as const], createdBy: h.ownerUid };
    await expect(h.webhooks.list(key, h.workspaceId)).rejects.toMatchObject({ code: "permission-denied" });
    await expect(h.webhooks.create(h.owner, { workspaceId: h.workspaceId, url: "https://169.254.169.254/x", eventTypes: ["execution.completed"] })).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(h.webhooks.create(h.owner, { workspaceId: h.workspaceId, url: "https://metadata.google.internal/x", eventTypes: ["execution.completed"] })).rejects.toMatchObject({ code: "invalid-argument" });
  });

  it("recovers dead and held deliveries since T in a background job", async () => {
    const { h, r, endpoint } = await setup(() => ({ status: 200 }));
    await h.webhooks.setEnabled(h.owner, h.workspaceId, endpoint.id, false);
    const events = [h.event(), h.event(), h.event()];
    for (const e of events) await h.dispatcher.fanOut(e);
    await h.drain();
    expect(r.received).toHaveLength(0);
    await h.webhooks.setEnabled(h.owner, h.workspaceId, endpoint.id, true);
    const job = await h.webhooks.startRecovery(h.owner, { workspaceId: h.workspaceId, endpointId: endpoint.id, since: new Date(h.clock.now() - 60_000).toISOString() });
    await h.tick(1_000);
    expect(await h.webhooks.getRecovery(h.owner, h.workspaceId, job.id)).toMatchObject({ status: "done", requeued: 3 });
    expect(r.received).toHaveLength(3);
  });
});
