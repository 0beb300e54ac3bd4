import type { CloudEvent } from "firebase-functions/v2";
import type { MessagePublishedData } from "firebase-functions/v2/pubsub";
import type { ScheduledEvent } from "firebase-functions/v2/scheduler";
import type { WorkerEvent } from "./worker";

/**
 * Platform events as `WorkerEvent`s: one adapter per trigger kind, so every worker sees the same
 * shape (id stable across redeliveries, raw payload, delivery attempt) whatever fired it.
 */

/** A Pub/Sub message: its JSON payload (or its text when it is not JSON: the worker's schema refuses it). */
export function pubsubEvent(event: CloudEvent<MessagePublishedData>): WorkerEvent {
  const message = event.data.message;
  const text = message.data ? Buffer.from(message.data, "base64").toString("utf8") : "";
  let data: unknown = text;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: handed over as text, which a worker's object schema dead-letters.
  }
  // Pub/Sub sets `deliveryAttempt` when the subscription has a dead-letter policy; Eventarc forwards it.
  const attempt = Number((event.data as { deliveryAttempt?: unknown }).deliveryAttempt ?? (message as { deliveryAttempt?: unknown }).deliveryAttempt ?? 1);
  return { id: message.messageId || event.id, data, attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1, time: Date.parse(message.publishTime || event.time) };
}

/** A document change: the path's parameters and the data before and after (null when absent). */
export function firestoreEvent(event: { id: string; time: string; params: Record<string, string>; data?: { before?: { exists: boolean; data(): unknown }; after?: { exists: boolean; data(): unknown } } }): WorkerEvent {
  const side = (snap: { exists: boolean; data(): unknown } | undefined) => (snap?.exists ? (snap.data() ?? null) : null);
  return { id: event.id, data: { params: event.params, before: side(event.data?.before), after: side(event.data?.after) }, attempt: 1, time: Date.parse(event.time) };
}

/** A created document (`onDocumentCreated`): the same shape as a write, with no `before`. */
export function firestoreCreatedEvent(event: { id: string; time: string; params: Record<string, string>; data?: { exists: boolean; data(): unknown } }): WorkerEvent {
  return { id: event.id, data: { params: event.params, before: null, after: event.data?.exists ? (event.data.data() ?? null) : null }, attempt: 1, time: Date.parse(event.time) };
}

/** A Cloud Storage object event: the object's metadata as Storage sends it. */
export function storageEvent(event: CloudEvent<unknown>): WorkerEvent {
  return { id: event.id, data: event.data, attempt: 1, time: Date.parse(event.time) };
}

/** A Cloud Scheduler run: one event per job and scheduled time, so a retried run is the same event. */
export function scheduledEvent(name: string, event: ScheduledEvent): WorkerEvent {
  const scheduleTime = event.scheduleTime || new Date().toISOString();
  return { id: `${name}@${scheduleTime}`, data: { scheduleTime, jobName: event.jobName ?? name }, attempt: 1, time: Date.parse(scheduleTime) };
}
