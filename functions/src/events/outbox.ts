import { Timestamp, type DocumentReference, type Firestore } from "firebase-admin/firestore";
import { readRecord, type RecordSnapshot } from "../lib/firestore-records";
import type { DomainEvent, DomainEventType } from "./domain-events";
import { EVENTS, storedDomainEventSchema, type StoredDomainEvent } from "./event-records";

export type { StoredDomainEvent };

export type NewDomainEvent = { type: DomainEventType; workspaceId: string; subject: string; occurredAt: number; data: Record<string, unknown> };

/** A batch or a transaction: what the event is written with. */
export type EventWriter = { create(ref: DocumentReference, data: StoredDomainEvent): unknown };

/**
 * Adds an event to a batch (or transaction) that also writes the change it describes, so both
 * land or neither does. Returns the event as consumers will read it.
 */
export function appendEvent(db: Pick<Firestore, "collection">, batch: EventWriter, event: NewDomainEvent): DomainEvent {
  const ref: DocumentReference = db.collection(EVENTS).doc();
  const stored: StoredDomainEvent = { type: event.type, workspaceId: event.workspaceId, subject: event.subject, occurredAt: Timestamp.fromMillis(event.occurredAt), data: event.data, published: false, publishedAt: null };
  batch.create(ref, stored);
  return { id: ref.id, type: event.type, workspaceId: event.workspaceId, subject: event.subject, occurredAt: new Date(event.occurredAt).toISOString(), data: event.data };
}

/** Reads `events/{id}` into its public shape, or null when there is none; a malformed event throws `DataIntegrityError`. */
export function readDomainEvent(snap: RecordSnapshot & { id: string }): DomainEvent | null {
  const stored = readRecord(snap, storedDomainEventSchema, { kind: "domain event" });
  return stored ? toDomainEvent(snap.id, stored) : null;
}

/** Maps a stored event (already parsed) to its public shape. */
export function toDomainEvent(id: string, stored: StoredDomainEvent): DomainEvent {
  return { id, type: stored.type, workspaceId: stored.workspaceId, subject: stored.subject, occurredAt: stored.occurredAt.toDate().toISOString(), data: stored.data };
}
