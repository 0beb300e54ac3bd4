import { createHash } from "node:crypto";
import { Timestamp, type Firestore, type Transaction } from "firebase-admin/firestore";
import type { z } from "zod";
import type { Clock } from "../clock";
import { AppError, ValidationError } from "../errors";
import { logger as defaultLogger, type Logger } from "../logging";
import type { RequestObserver } from "../metrics";
import { validationErrorFrom } from "../validation";

/**
 * The one pattern for event-driven functions (Pub/Sub, Firestore, Storage, scheduled): parse the
 * payload at the edge, do the work at most once per event id, rethrow retryable failures so the
 * platform redelivers, record poison events in a dead-letter collection and acknowledge them.
 */

/** An event as the trigger adapters hand it over: its id, its raw payload, its delivery attempt. */
export type WorkerEvent = {
  /** The platform's event id (CloudEvent `id`, Pub/Sub `messageId`): stable across redeliveries. */
  id: string;
  data: unknown;
  /** 1 on the first delivery; from Pub/Sub's `deliveryAttempt` when the subscription has a dead-letter policy. */
  attempt: number;
  /** When the event happened (epoch ms), if the platform says. */
  time?: number;
};

/** Thrown by a handler for input that will never succeed: recorded and acknowledged, not retried. */
export class PoisonEventError extends Error {
  constructor(message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = "PoisonEventError";
  }
}

export type WorkerContext = { eventId: string; attempt: number; log: Logger };

export type WorkerSpec<S extends z.ZodType> = {
  /** Event name for logs and the idempotency marker, e.g. `outbox.publish`. */
  name: string;
  payload: S;
  /**
   * `event-id` (default): a marker `workerRuns/{name}:{eventId}` makes a redelivered event a no-op
   * once its work succeeded. `none`: the work is idempotent by itself (cache invalidation).
   */
  idempotency?: "event-id" | "none";
  /**
   * The id a delivery is deduplicated by. @default the platform's event id. A payload that names
   * its own event (a domain event published twice, under two message ids) should say so here.
   */
  idempotencyKey?: (payload: z.output<S>) => string;
  /**
   * Deliveries after which a still-failing event is dead-lettered and acknowledged even if the
   * platform would retry it again. @default 10
   */
  maxAttempts?: number;
  /** Events older than this are dead-lettered instead of processed (stale work). @default none */
  maxAgeMs?: number;
} & (
  | { handle(payload: z.output<S>, context: WorkerContext): Promise<void> }
  /** The work and the idempotency marker commit in one transaction: exactly once, not just at least once. */
  | { handleInTransaction(tx: Transaction, payload: z.output<S>, context: WorkerContext): Promise<void> }
);

export type WorkerDeps = {
  db: Pick<Firestore, "doc" | "runTransaction">;
  clock: Clock;
  logger?: Logger;
  /** Counts each run by outcome and each dead letter (`worker.dead_lettered`, a critical signal when it grows). */
  metrics?: RequestObserver;
};

/** Where poison events go: `deadLetters/{name}:{eventId}` with the payload, the reason, the attempt. */
export const DEAD_LETTERS = "deadLetters";
/** Idempotency markers: `workerRuns/{name}:{eventId}`. */
export const WORKER_RUNS = "workerRuns";
/** How long a claim on an event holds before another delivery may take it over (a crashed worker). */
export const CLAIM_LEASE_MS = 9 * 60_000;
/** Dead-lettered payloads are kept whole up to this size, else truncated (a Firestore document is 1 MiB). */
const MAX_STORED_PAYLOAD_CHARS = 200_000;

export type WorkerOutcome = "done" | "duplicate" | "dead-lettered";

/** Builds the plain handler of a worker; trigger adapters (`pubsubEvent`, ...) turn platform events into `WorkerEvent`s. */
export function createWorker<S extends z.ZodType>(spec: WorkerSpec<S>, deps: WorkerDeps) {
  const log = deps.logger ?? defaultLogger;
  const maxAttempts = spec.maxAttempts ?? 10;
  const markerPath = (eventId: string) => `${WORKER_RUNS}/${safeId(`${spec.name}:${eventId}`)}`;

  async function deadLetter(event: WorkerEvent, reason: string, details?: Record<string, unknown>): Promise<WorkerOutcome> {
    const at = Timestamp.fromMillis(deps.clock.now());
    const payload = safeJson(event.data);
    await deps.db.doc(`${DEAD_LETTERS}/${safeId(`${spec.name}:${event.id}`)}`).set({
      worker: spec.name,
      eventId: event.id,
      attempt: event.attempt,
      reason,
      ...(details ? { details } : {}),
      payload: payload.length > MAX_STORED_PAYLOAD_CHARS ? payload.slice(0, MAX_STORED_PAYLOAD_CHARS) : payload,
      payloadTruncated: payload.length > MAX_STORED_PAYLOAD_CHARS,
      at,
    });
    log.error("worker_dead_lettered", { worker: spec.name, eventId: event.id, attempt: event.attempt, reason });
    return "dead-lettered";
  }

  /** Every run counted once, by outcome (`retry` for a rethrown failure). */
  async function handleEvent(event: WorkerEvent): Promise<WorkerOutcome> {
    const metrics = deps.metrics;
    if (!metrics) return handleOnce(event);
    const started = performance.now();
    let code: WorkerOutcome | "retry" = "retry";
    try {
      const outcome = await handleOnce(event);
      code = outcome;
      if (outcome === "dead-lettered") metrics.count("worker.dead_lettered");
      return outcome;
    } finally {
      // A retry is the platform redelivering, not an outage: counted, but neither a server error nor part of a burst.
      metrics.request({ api: `worker:${spec.name}`, code: code === "retry" ? "retry" : "ok", ms: performance.now() - started });
      metrics.count(`worker.${code}`);
      await metrics.tail();
    }
  }
  return handleEvent;

  async function handleOnce(event: WorkerEvent): Promise<WorkerOutcome> {
    const fields = { worker: spec.name, eventId: event.id, attempt: event.attempt };
    const parsed = spec.payload.safeParse(event.data);
    if (!parsed.success) {
      const error = validationErrorFrom(parsed.error);
      return deadLetter(event, "invalid-payload", { message: error.message, issues: error.issues });
    }
    if (spec.maxAgeMs !== undefined && event.time !== undefined && deps.clock.now() - event.time > spec.maxAgeMs) {
      return deadLetter(event, "expired", { ageMs: deps.clock.now() - event.time });
    }
    if (spec.idempotencyKey) event = { ...event, id: spec.idempotencyKey(parsed.data) };
    const context: WorkerContext = { eventId: event.id, attempt: event.attempt, log };
    const started = deps.clock.now();
    try {
      let outcome: WorkerOutcome;
      if ("handleInTransaction" in spec) outcome = await runInTransaction(spec, parsed.data, context, event);
      else if (spec.idempotency === "none") {
        await spec.handle(parsed.data, context);
        outcome = "done";
      } else outcome = await runClaimed(spec, parsed.data, context, event);
      log.info(outcome === "duplicate" ? "worker_duplicate_skipped" : "worker_done", { ...fields, ms: deps.clock.now() - started });
      return outcome;
    } catch (error) {
      if (isPoison(error)) {
        if (spec.idempotency !== "none" && !("handleInTransaction" in spec)) await deps.db.doc(markerPath(event.id)).set({ status: "dead-lettered", at: Timestamp.fromMillis(deps.clock.now()) });
        return deadLetter(event, "poison", { message: error instanceof Error ? error.message : String(error) });
      }
      if (event.attempt >= maxAttempts) return deadLetter(event, "retries-exhausted", { message: error instanceof Error ? error.message : String(error) });
      log.warn("worker_retry", { ...fields, error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  /** Claim the event (a lease), do the work, mark it done; a redelivery of a done event is skipped. */
  async function runClaimed(handler: { handle(payload: z.output<S>, context: WorkerContext): Promise<void> }, payload: z.output<S>, context: WorkerContext, event: WorkerEvent): Promise<WorkerOutcome> {
    const ref = deps.db.doc(markerPath(event.id));
    const now = deps.clock.now();
    const claimed = await deps.db.runTransaction(async (tx) => {
      const marker = await tx.get(ref);
      const status: unknown = marker.get("status");
      const leaseUntil: unknown = marker.get("leaseUntil");
      if (status === "done" || status === "dead-lettered") return false;
      if (status === "running" && leaseUntil instanceof Timestamp && leaseUntil.toMillis() > now) {
        // Another delivery holds it: let the platform retry later rather than work twice at once.
        throw new EventInProgressError(event.id);
      }
      tx.set(ref, { worker: spec.name, eventId: event.id, status: "running", attempt: event.attempt, leaseUntil: Timestamp.fromMillis(now + CLAIM_LEASE_MS) });
      return true;
    });
    if (!claimed) return "duplicate";
    try {
      await handler.handle(payload, context);
    } catch (error) {
      // Release the claim so the redelivery can take it at once.
      await ref.set({ worker: spec.name, eventId: event.id, status: "failed", attempt: event.attempt });
      throw error;
    }
    await ref.set({ worker: spec.name, eventId: event.id, status: "done", attempt: event.attempt, doneAt: Timestamp.fromMillis(deps.clock.now()) });
    return "done";
  }

  async function runInTransaction(
    handler: { handleInTransaction(tx: Transaction, payload: z.output<S>, context: WorkerContext): Promise<void> },
    payload: z.output<S>,
    context: WorkerContext,
    event: WorkerEvent,
  ): Promise<WorkerOutcome> {
    const ref = deps.db.doc(markerPath(event.id));
    return deps.db.runTransaction(async (tx) => {
      const marker = await tx.get(ref);
      if (marker.exists) return "duplicate" as const;
      await handler.handleInTransaction(tx, payload, context);
      tx.set(ref, { worker: spec.name, eventId: event.id, status: "done", attempt: event.attempt, doneAt: Timestamp.fromMillis(deps.clock.now()) });
      return "done" as const;
    });
  }
}

/** Another delivery of the same event is being worked on; retried by the platform. */
export class EventInProgressError extends Error {
  constructor(eventId: string) {
    super(`Event ${eventId} is being processed by another delivery.`);
    this.name = "EventInProgressError";
  }
}

/** Poison: declared so, or a typed client error that a retry cannot fix (bad input, missing data, refused access). */
function isPoison(error: unknown): boolean {
  if (error instanceof PoisonEventError || error instanceof ValidationError) return true;
  return error instanceof AppError && ["invalid-argument", "not-found", "permission-denied", "failed-precondition", "payload-too-large"].includes(error.code);
}

/** Document ids may not contain '/' and are limited in length: ids are kept readable where they can be. */
function safeId(id: string): string {
  const cleaned = id.replace(/[/]/g, "_");
  return cleaned.length <= 400 && !/^__.*__$/.test(cleaned) && cleaned !== "." && cleaned !== ".." ? cleaned : `h_${createHash("sha256").update(id).digest("hex")}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    return String(value);
  }
}
