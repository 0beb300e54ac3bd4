import { randomUUID } from "node:crypto";
import { FieldPath, Timestamp, type Firestore } from "firebase-admin/firestore";
import type { Clock } from "../lib/clock";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { requireRecord, readRecord } from "../lib/firestore-records";
import { logger } from "../lib/logging";
import { EventInProgressError } from "../lib/workers";
import { toDomainEvent } from "./outbox";
import { EVENTS, OUTBOX_LEASES, outboxLeaseSchema, storedDomainEventSchema } from "./event-records";

/** The topic every domain event is published to; consumers (webhooks, stats) subscribe to it. */
export const DOMAIN_EVENTS_TOPIC = "domain-events";

export const OUTBOX_QUERIES = {
  /** One workspace's unpublished events in order (the drain). */
  unpublishedOfWorkspace: queryShape({
    name: "events.unpublishedOfWorkspace",
    collectionGroup: EVENTS,
    equality: ["workspaceId", "published"],
    orderBy: [["occurredAt", "asc"], ["__name__", "asc"]],
  }),
  /** Events left unpublished past the sweep delay, any workspace. */
  stale: queryShape({ name: "events.stale", collectionGroup: EVENTS, equality: ["published"], range: "occurredAt", orderBy: [["occurredAt", "asc"]] }),
};

/** What the outbox needs of Pub/Sub: publish one message with an ordering key. */
export type EventPublisher = {
  publish(topic: string, message: { data: Buffer; attributes: Record<string, string>; orderingKey: string }): Promise<string>;
};

export type OutboxPublisherDeps = {
  db: Pick<Firestore, "collection" | "doc" | "runTransaction">;
  clock: Clock;
  publisher: EventPublisher;
  /** Events per query while draining. @default 100 */
  batchSize?: number;
  /** How long a drainer holds a workspace. @default 60 s */
  leaseMs?: number;
};

/** An unpublished event older than this is the sweeper's: its trigger was lost or failed for good. */
export const SWEEP_AFTER_MS = 60_000;

/**
 * Makes the outbox live: events written with the changes they describe are published to
 * `domain-events`, at least once, in order per workspace (Pub/Sub ordering key = workspace id).
 *
 * The trigger on each new event drains its workspace under a lease, oldest first, marking each
 * event published after Pub/Sub accepted it; a concurrent trigger finding the lease held asks
 * the platform to retry later. A crash between publish and mark publishes that event again:
 * consumers deduplicate by event id. The scheduled sweeper catches events whose trigger was lost.
 */
export function createOutboxPublisher({ db, clock, publisher, batchSize = 100, leaseMs = 60_000 }: OutboxPublisherDeps) {
  const leaseRef = (workspaceId: string) => db.doc(`${OUTBOX_LEASES}/${workspaceId}`);

  async function acquire(workspaceId: string, holder: string): Promise<boolean> {
    return db.runTransaction(async (tx) => {
      const lease = readRecord(await tx.get(leaseRef(workspaceId)), outboxLeaseSchema, { kind: "outbox lease" });
      if (lease && lease.holder !== holder && lease.until.toMillis() > clock.now()) return false;
      tx.set(leaseRef(workspaceId), { holder, until: Timestamp.fromMillis(clock.now() + leaseMs) });
      return true;
    });
  }

  async function release(workspaceId: string, holder: string): Promise<void> {
    await db.runTransaction(async (tx) => {
      const lease = readRecord(await tx.get(leaseRef(workspaceId)), outboxLeaseSchema, { kind: "outbox lease" });
      if (lease?.holder === holder) tx.delete(leaseRef(workspaceId));
    });
  }

  /** Publishes the workspace's unpublished events in order. Throws `EventInProgressError` while another drainer holds it. */
  async function drainWorkspace(workspaceId: string): Promise<{ published: number }> {
    const holder = randomUUID();
    if (!(await acquire(workspaceId, holder))) throw new EventInProgressError(`outbox:${workspaceId}`);
    let published = 0;
    try {
      for (;;) {
        const page = await runQuery(
          OUTBOX_QUERIES.unpublishedOfWorkspace,
          db.collection(EVENTS).where("workspaceId", "==", workspaceId).where("published", "==", false).orderBy("occurredAt").orderBy(FieldPath.documentId()).limit(batchSize),
        );
        for (const doc of page.docs) {
          const event = toDomainEvent(doc.id, requireRecord(doc, storedDomainEventSchema, { kind: "domain event" }));
          await publisher.publish(DOMAIN_EVENTS_TOPIC, {
            data: Buffer.from(JSON.stringify(event)),
            attributes: { eventId: event.id, type: event.type, workspaceId },
            orderingKey: workspaceId,
          });
          await doc.ref.update({ published: true, publishedAt: Timestamp.fromMillis(clock.now()) });
          published++;
        }
        if (page.size < batchSize) break;
        // Long drains keep their lease.
        await acquire(workspaceId, holder);
      }
    } finally {
      await release(workspaceId, holder);
    }
    if (published > 0) logger.info("outbox_published", { workspaceId, published });
    return { published };
  }

  return {
    drainWorkspace,

    /** Drains every workspace holding an event left unpublished past `SWEEP_AFTER_MS`. */
    async sweep(): Promise<{ workspaces: number; published: number; busy: number }> {
      const cutoff = Timestamp.fromMillis(clock.now() - SWEEP_AFTER_MS);
      const stale = await runQuery(OUTBOX_QUERIES.stale, db.collection(EVENTS).where("published", "==", false).where("occurredAt", "<", cutoff).orderBy("occurredAt").limit(500));
      const workspaces = [...new Set(stale.docs.map((doc) => requireRecord(doc, storedDomainEventSchema, { kind: "domain event" }).workspaceId))];
      let published = 0;
      let busy = 0;
      for (const workspaceId of workspaces) {
        try {
          published += (await drainWorkspace(workspaceId)).published;
        } catch (error) {
          if (!(error instanceof EventInProgressError)) throw error;
          busy++;
        }
      }
      if (workspaces.length > 0) logger.warn("outbox_swept", { workspaces: workspaces.length, published, busy });
      return { workspaces: workspaces.length, published, busy };
    },
  };
}

export type OutboxPublisher = ReturnType<typeof createOutboxPublisher>;
