import { randomUUID } from "node:crypto";
import { Timestamp } from "firebase-admin/firestore";
import { createOutboxPublisher, DOMAIN_EVENTS_TOPIC, SWEEP_AFTER_MS, type EventPublisher } from "../../src/events/outbox-publisher";
import { appendEvent } from "../../src/events/outbox";
import { EVENTS, OUTBOX_LEASES } from "../../src/events/event-records";
import { manualClock } from "../../src/lib/clock";
import { EventInProgressError } from "../../src/lib/workers";
import { getFirestore } from "firebase-admin/firestore";
import { firebaseApp } from "../../src/app/clients";
import { testDb } from "../helpers/firestore";

/**
 * A database of its own: under `npm test` the event relay delivers writes of the default database
 * to the deployed `publishDomainEvents`, which would drain these events concurrently with the test.
 */
const outboxDb = () => {
  testDb();
  return getFirestore(firebaseApp(), "outbox-publisher-test");
};

type Published = { topic: string; eventId: string; orderingKey: string; type: string };

function recordingPublisher(failOn?: (eventId: string) => boolean) {
  const published: Published[] = [];
  const publisher: EventPublisher = {
    async publish(topic, message) {
      const event = JSON.parse(message.data.toString("utf8")) as { id: string; type: string };
      if (failOn?.(event.id)) throw new Error("Pub/Sub unavailable");
      published.push({ topic, eventId: event.id, orderingKey: message.orderingKey, type: event.type });
      return `msg-${published.length}`;
    },
  };
  return { publisher, published };
}

async function writeEvents(workspaceId: string, count: number, startMs: number): Promise<string[]> {
  const db = outboxDb();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const batch = db.batch();
    ids.push(appendEvent(db, batch, { type: "execution.completed", workspaceId, subject: `executions/e${i}`, occurredAt: startMs + i, data: { i } }).id);
    await batch.commit();
  }
  return ids;
}

describe("the outbox publisher on the real Firestore", () => {
  it("publishes a workspace's events oldest first, keyed by the workspace, and marks each published", async () => {
    const db = outboxDb();
    const clock = manualClock(Date.now());
    const workspaceId = `ws-${randomUUID().slice(0, 8)}`;
    const ids = await writeEvents(workspaceId, 5, clock.now() - 1000);
    const { publisher, published } = recordingPublisher();
    const outbox = createOutboxPublisher({ db, clock, publisher, batchSize: 2 });

    expect(await outbox.drainWorkspace(workspaceId)).toEqual({ published: 5 });
    expect(published.map((p) => p.eventId)).toEqual(ids);
    expect(new Set(published.map((p) => `${p.topic}|${p.orderingKey}`))).toEqual(new Set([`${DOMAIN_EVENTS_TOPIC}|${workspaceId}`]));
    for (const id of ids) expect((await db.doc(`${EVENTS}/${id}`).get()).get("published")).toBe(true);
    expect(await outbox.drainWorkspace(workspaceId)).toEqual({ published: 0 });
    expect((await db.doc(`${OUTBOX_LEASES}/${workspaceId}`).get()).exists).toBe(false);
  });

  it("keeps order across a failed publish: the failed event and those after it wait for the retry", async () => {
    const db = outboxDb();
    const clock = manualClock(Date.now());
    const workspaceId = `ws-${randomUUID().slice(0, 8)}`;
    const ids = await writeEvents(workspaceId, 3, clock.now() - 1000);
    let down = true;
    const { publisher, published } = recordingPublisher((id) => down && id === ids[1]);
    const outbox = createOutboxPublisher({ db, clock, publisher });

    await expect(outbox.drainWorkspace(workspaceId)).rejects.toThrow("Pub/Sub unavailable");
    expect(published.map((p) => p.eventId)).toEqual([ids[0]]);
    down = false;
    await outbox.drainWorkspace(workspaceId);
    expect(published.map((p) => p.eventId)).toEqual(ids);
  });

  it("lets one drainer hold a workspace at a time; another asks to be retried", async () => {
    const db = outboxDb();
    const clock = manualClock(Date.now());
    const workspaceId = `ws-${randomUUID().slice(0, 8)}`;
    await writeEvents(workspaceId, 1, clock.now());
    await db.doc(`${OUTBOX_LEASES}/${workspaceId}`).set({ holder: "someone-else", until: Timestamp.fromMillis(clock.now() + 30_000) });
    const { publisher, published } = recordingPublisher();
    const outbox = createOutboxPublisher({ db, clock, publisher });

    await expect(outbox.drainWorkspace(workspaceId)).rejects.toBeInstanceOf(EventInProgressError);
    expect(published).toEqual([]);
    clock.advance(31_000);
    expect(await outbox.drainWorkspace(workspaceId)).toEqual({ published: 1 });
  });

  it("sweeps events left unpublished past the sweep delay, and leaves fresh ones to their trigger", async () => {
    const db = outboxDb();
    const clock = manualClock(Date.now() + 10 * SWEEP_AFTER_MS);
    const stale = `ws-${randomUUID().slice(0, 8)}`;
    const fresh = `ws-${randomUUID().slice(0, 8)}`;
    const staleIds = await writeEvents(stale, 2, clock.now() - 2 * SWEEP_AFTER_MS);
    await writeEvents(fresh, 1, clock.now());
    const { publisher, published } = recordingPublisher();

    const result = await createOutboxPublisher({ db, clock, publisher }).sweep();
    expect(result.published).toBeGreaterThanOrEqual(2);
    expect(published.filter((p) => p.orderingKey === stale).map((p) => p.eventId)).toEqual(staleIds);
    expect(published.filter((p) => p.orderingKey === fresh)).toEqual([]);
  });
});
