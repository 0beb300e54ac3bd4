import type { Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import { countDomainEvent, publishedDomainEvent } from "./event-stats";
import type { OutboxPublisher } from "./outbox-publisher";

/** A new outbox document, as the Firestore worker adapter hands it over. */
const outboxWrite = z.object({
  params: z.object({ eventId: z.string().min(1) }),
  after: z.looseObject({ workspaceId: z.string().min(1) }).nullable(),
});

const scheduledRun = z.looseObject({ scheduleTime: z.string() });

/** The event domain's workers; the composition root builds them with `createWorker`. */
export function eventWorkers({ outbox, db }: { outbox: Pick<OutboxPublisher, "drainWorkspace" | "sweep">; db: Pick<Firestore, "doc"> }) {
  return {
    /** On each new outbox event: drain its workspace to `domain-events`, in order (idempotent by `published`). */
    publishOutbox: {
      name: "outbox.publish",
      payload: outboxWrite,
      idempotency: "none" as const,
      handle: async ({ after }: z.output<typeof outboxWrite>) => {
        if (after) await outbox.drainWorkspace(after.workspaceId);
      },
    },
    /** Every few minutes: publish what a lost or failed trigger left behind. */
    sweepOutbox: {
      name: "outbox.sweep",
      payload: scheduledRun,
      idempotency: "none" as const,
      handle: async () => {
        await outbox.sweep();
      },
    },
    /** Consumer of `domain-events`: daily counts per workspace, exactly once per event. */
    countDomainEvents: {
      name: "events.count",
      payload: publishedDomainEvent,
      // The outbox may publish one event twice (a crash between publish and mark): count it once.
      idempotencyKey: (event: z.output<typeof publishedDomainEvent>) => event.id,
      handleInTransaction: async (tx: Parameters<typeof countDomainEvent>[1], event: z.output<typeof publishedDomainEvent>) => countDomainEvent(db, tx, event),
    },
  };
}
