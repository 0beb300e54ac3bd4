import { Timestamp, type DocumentReference, type Firestore, type WriteBatch } from "firebase-admin/firestore";
import { EVENTS, type DomainEvent, type DomainEventType } from "./domain-events";

/** An outbox event as stored in `events/{id}`; `occurredAt` is a Timestamp there. */
export type StoredDomainEvent = Omit<DomainEvent, "id" | "occurredAt"> & { occurredAt: Timestamp };

export type NewDomainEvent = { type: DomainEventType; workspaceId: string; subject: string; occurredAt: number; data: Record<string, unknown> };

/**
 * Adds an event to a batch that also writes the change it describes, so both land or neither
 * does. Returns the event as consumers will read it.
 */
export function appendEvent(db: Pick<Firestore, "collection">, batch: Pick<WriteBatch, "create">, event: NewDomainEvent): DomainEvent {
  const ref: DocumentReference = db.collection(EVENTS).doc();
  const stored: StoredDomainEvent = { type: event.type, workspaceId: event.workspaceId, subject: event.subject, occurredAt: Timestamp.fromMillis(event.occurredAt), data: event.data };
  batch.create(ref, stored);
  return { id: ref.id, type: event.type, workspaceId: event.workspaceId, subject: event.subject, occurredAt: new Date(event.occurredAt).toISOString(), data: event.data };
}

/** Reads a stored event back into its public shape. */
export function toDomainEvent(id: string, stored: StoredDomainEvent): DomainEvent {
  return { id, type: stored.type, workspaceId: stored.workspaceId, subject: stored.subject, occurredAt: stored.occurredAt.toDate().toISOString(), data: stored.data };
}
