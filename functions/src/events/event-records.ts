import { z } from "zod";
import { timestampField } from "../lib/firestore-records";

/**
 * Firestore layout of the outbox: `events/{id}`, one domain event each, written in the same
 * batch as the change it describes (`StoredDomainEvent`; `occurredAt` is a Timestamp there).
 */
export const EVENTS = "events";

export const eventPath = (eventId: string) => `${EVENTS}/${eventId}`;

export const DOMAIN_EVENT_TYPES = ["execution.completed", "execution.failed"] as const;

export const storedDomainEventSchema = z.object({
  type: z.enum(DOMAIN_EVENT_TYPES),
  workspaceId: z.string(),
  /** The resource the event is about, e.g. `executions/<id>`. */
  subject: z.string(),
  occurredAt: timestampField,
  data: z.record(z.string(), z.unknown()),
});
export type StoredDomainEvent = z.infer<typeof storedDomainEventSchema>;
