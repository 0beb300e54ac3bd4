import type { DOMAIN_EVENT_TYPES } from "./event-records";

/**
 * Domain events the product emits for later features (webhooks, metrics) to consume. Events are
 * written to the `events` collection in the same transaction/batch as the change they describe
 * (an outbox), so a consumer never sees an event for a change that did not happen.
 */
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export type DomainEvent = {
  id: string;
  type: DomainEventType;
  workspaceId: string;
  /** The resource the event is about, e.g. `executions/<id>`. */
  subject: string;
  occurredAt: string;
  data: Record<string, unknown>;
};

export { EVENTS } from "./event-records";
