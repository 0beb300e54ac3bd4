import { FieldValue, type Firestore, type Transaction } from "firebase-admin/firestore";
import { z } from "zod";
import { DOMAIN_EVENT_TYPES, eventStatsPath } from "./event-records";

/** A domain event as published on `domain-events` (the payload the outbox publisher sends). */
export const publishedDomainEvent = z.object({
  id: z.string().min(1),
  type: z.enum(DOMAIN_EVENT_TYPES),
  workspaceId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
  subject: z.string(),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});
export type PublishedDomainEvent = z.infer<typeof publishedDomainEvent>;

/**
 * The first consumer of `domain-events`: counts events per type per UTC day for each workspace
 * (`workspaces/{w}/eventStats/{day}`), for usage views and the monitoring work. Runs inside the
 * worker's transaction with its idempotency marker, so a redelivered message counts once.
 */
export function countDomainEvent(db: Pick<Firestore, "doc">, tx: Transaction, event: PublishedDomainEvent): void {
  const day = event.occurredAt.slice(0, 10);
  tx.set(db.doc(eventStatsPath(event.workspaceId, day)), { day, counts: { [event.type]: FieldValue.increment(1) }, total: FieldValue.increment(1) }, { merge: true });
}
