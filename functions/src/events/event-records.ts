import { z } from "zod";
import { timestampField } from "../lib/firestore-records";

/**
 * Firestore layout of the outbox: `events/{id}`, one domain event each, written in the same
 * batch as the change it describes (`StoredDomainEvent`; `occurredAt` is a Timestamp there).
 */
export const EVENTS = "events";

export const eventPath = (eventId: string) => `${EVENTS}/${eventId}`;

/** Every domain event type; each one's webhook payload is described in `webhooks/webhook-catalog.ts`. */
export const DOMAIN_EVENT_TYPES = [
  "execution.completed",
  "execution.failed",
  "prompt.version_created",
  "prompt.label_moved",
  "document.ready",
  "document.failed",
  "member.added",
  "member.removed",
  "api_key.created",
  "api_key.revoked",
  "webhook.endpoint_disabled",
] as const;

export const storedDomainEventSchema = z.object({
  type: z.enum(DOMAIN_EVENT_TYPES),
  workspaceId: z.string(),
  /** The resource the event is about, e.g. `executions/<id>`. */
  subject: z.string(),
  occurredAt: timestampField,
  data: z.record(z.string(), z.unknown()),
  /** Set once the event is on the `domain-events` topic (at least once; consumers dedupe by event id). */
  published: z.boolean(),
  publishedAt: timestampField.nullable().optional(),
});
export type StoredDomainEvent = z.infer<typeof storedDomainEventSchema>;

/** One drainer per workspace at a time keeps the workspace's events in order on the topic. */
export const OUTBOX_LEASES = "outboxLeases";
export const outboxLeaseSchema = z.object({ holder: z.string(), until: timestampField });

/** Events per type per UTC day of a workspace: `workspaces/{w}/eventStats/{yyyy-mm-dd}`. */
export const eventStatsPath = (workspaceId: string, day: string) => `workspaces/${workspaceId}/eventStats/${day}`;
