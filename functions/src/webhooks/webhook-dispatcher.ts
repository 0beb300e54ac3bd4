import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Timestamp, type DocumentReference, type Firestore, type Transaction } from "firebase-admin/firestore";
import type { PublishedDomainEvent } from "../events/event-stats";
import type { EventPublisher } from "../events/outbox-publisher";
import { appendEvent } from "../events/outbox";
import type { Clock } from "../lib/clock";
import { runQuery } from "../lib/firestore-queries";
import { readRecord, requireRecord } from "../lib/firestore-records";
import { logger as defaultLogger, type Logger } from "../lib/logging";
import type { RateLimiter } from "../lib/rate-limit";
import { PoisonEventError } from "../lib/workers";
import { attemptOutcome, DEFAULT_AUTO_DISABLE, type AttemptOutcome, type AutoDisablePolicy } from "./attempt-outcome";
import { countStreakFailure, streakFailures } from "./endpoint-health";
import type { EndpointGate } from "./endpoint-gate";
import { webhookBody } from "./webhook-catalog";
import { WEBHOOK_QUERIES } from "./webhook-queries";
import type { WebhookHttp, WebhookResponse } from "./webhook-http";
import { deliveryIdOf, storedDeliverySchema, storedEndpointSchema, WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS, webhookIdOf, type StoredDelivery, type StoredEndpoint } from "./webhook-records";
import { signatureHeader, type SecretBox } from "./webhook-signing";
import { recordAttemptStat } from "./webhook-stats";

/** The topic one message per attempt-ready delivery goes to; the delivery worker consumes it. */
export const WEBHOOK_DELIVERIES_TOPIC = "webhook-deliveries";
/** The rate-limit policy each endpoint's attempts spend from (lib/rate-limit/policies.ts). */
export const WEBHOOK_RATE_POLICY = "webhookDelivery";
/** The policy's window (units per minute); keep in step with its default. */
export const WEBHOOK_RATE_UNITS_PER_MINUTE = 6_000;

export type DispatcherSettings = {
  /** @default 30 s */
  attemptTimeoutMs: number;
  /** How long a worker owns an attempt; past it the sweeper takes the delivery back. @default 90 s */
  leaseMs: number;
  /** A published delivery nobody took is re-published after this. @default 2 min */
  requeueMs: number;
  /** Deliveries looked at per sweep. @default 500 */
  sweepBatch: number;
  autoDisable: AutoDisablePolicy;
};

export const DEFAULT_DISPATCHER_SETTINGS: DispatcherSettings = { attemptTimeoutMs: 30_000, leaseMs: 90_000, requeueMs: 120_000, sweepBatch: 500, autoDisable: DEFAULT_AUTO_DISABLE };

export type DispatcherDeps = {
  db: Pick<Firestore, "collection" | "doc" | "runTransaction">;
  clock: Clock;
  publisher: EventPublisher;
  http: WebhookHttp;
  secrets: SecretBox;
  gate: EndpointGate;
  /** Per-endpoint attempt rate; null skips it (tests). */
  limiter: Pick<RateLimiter, "limit"> | null;
  random?: () => number;
  settings?: Partial<DispatcherSettings>;
  logger?: Logger;
};

export type DeliverOutcome = "missing" | "skipped" | "early" | "cancelled" | "held" | "deferred" | "lease-lost" | "delivered" | "retry" | "dead";

// A message may arrive a little before its due time (clocks differ by a few ms between instances).
const EARLY_TOLERANCE_MS = 1_000;

/**
 * Webhook delivery: fan-out of domain events to delivery records, one HTTP attempt per message
 * on `webhook-deliveries`, and the sweeper that re-publishes due retries and takes back attempts
 * whose worker died. Firestore is the source of truth (state, due time, lease); messages only
 * say "look at this delivery now", so a duplicate or late message is harmless.
 */
export function createWebhookDispatcher(deps: DispatcherDeps) {
  const { db, clock } = deps;
  const settings = { ...DEFAULT_DISPATCHER_SETTINGS, ...deps.settings };
  const random = deps.random ?? Math.random;
  const log = deps.logger ?? defaultLogger;
  const deliveryRef = (id: string) => db.doc(`${WEBHOOK_DELIVERIES}/${id}`);
  const endpointRef = (id: string) => db.doc(`${WEBHOOK_ENDPOINTS}/${id}`);
  const ts = (ms: number) => Timestamp.fromMillis(ms);
  const DELIVERY = { kind: "webhook delivery" };
  const ENDPOINT = { kind: "webhook endpoint" };

  async function publish(deliveryId: string): Promise<void> {
    await deps.publisher.publish(WEBHOOK_DELIVERIES_TOPIC, { data: Buffer.from(JSON.stringify({ deliveryId })), attributes: { deliveryId }, orderingKey: "" });
  }

  function newDelivery(endpointId: string, endpoint: Pick<StoredEndpoint, "workspaceId" | "enabled">, eventId: string, eventType: string, payload: string, test: boolean): StoredDelivery {
    const now = clock.now();
    return {
      workspaceId: endpoint.workspaceId,
      endpointId,
      eventId,
      eventType,
      payload,
      state: endpoint.enabled ? "scheduled" : "held",
      roundAttempts: 0,
      rounds: 1,
      totalAttempts: 0,
      dueAt: ts(now),
      // Re-published by the sweeper if the message below is lost.
      sweepAt: endpoint.enabled ? ts(now + settings.requeueMs) : null,
      leaseToken: null,
      leaseUntil: null,
      attempts: [],
      lastReason: endpoint.enabled ? null : "endpoint-disabled",
      createdAt: ts(now),
      updatedAt: ts(now),
      deliveredAt: null,
      test,
    };
  }

  /** Creates the delivery unless it exists; true when it is new or still waits for its first attempt. */
  async function createOnce(ref: DocumentReference, record: StoredDelivery): Promise<boolean> {
    try {
      await ref.create(record);
      return record.state === "scheduled";
    } catch (error) {
      if ((error as { code?: unknown }).code !== 6) throw error;
      const existing = requireRecord(await ref.get(), storedDeliverySchema, DELIVERY);
      return existing.state === "scheduled" && existing.totalAttempts === 0;
    }
  }

  /**
   * One delivery per endpoint of the workspace subscribed to the event's type (held, not sent,
   * for a disabled endpoint). Idempotent by the delivery id `{endpoint}_{event}`.
   */
  async function fanOut(event: PublishedDomainEvent): Promise<{ deliveries: number }> {
    let body: string;
    try {
      body = webhookBody(event);
    } catch (error) {
      throw new PoisonEventError(`Domain event ${event.id} cannot be delivered as a webhook.`, { error: error instanceof Error ? error.message.slice(0, 300) : "unknown" });
    }
    const endpoints = await runQuery(WEBHOOK_QUERIES.endpointsOfWorkspace, db.collection(WEBHOOK_ENDPOINTS).where("workspaceId", "==", event.workspaceId));
    let deliveries = 0;
    for (const doc of endpoints.docs) {
      const endpoint = requireRecord(doc, storedEndpointSchema, ENDPOINT);
      if (!endpoint.eventTypes.includes(event.type)) continue;
      const id = deliveryIdOf(doc.id, event.id);
      if (await createOnce(deliveryRef(id), newDelivery(doc.id, endpoint, event.id, event.type, body, false))) await publish(id);
      deliveries++;
    }
    if (deliveries > 0) log.info("webhook_fanned_out", { eventId: event.id, workspaceId: event.workspaceId, type: event.type, deliveries });
    return { deliveries };
  }

  /** A test event for one endpoint, attempted at once; retried like any other delivery. */
  async function sendTest(endpointId: string, endpoint: StoredEndpoint, payload: string, eventId: string): Promise<string> {
    const id = deliveryIdOf(endpointId, eventId);
    await deliveryRef(id).create(newDelivery(endpointId, { workspaceId: endpoint.workspaceId, enabled: true }, eventId, "webhook.test", payload, true));
    await deliver(id);
    return id;
  }

  type Claim = { outcome: "claimed"; delivery: StoredDelivery; endpoint: StoredEndpoint; token: string } | { outcome: Exclude<DeliverOutcome, "delivered" | "retry" | "dead"> };

  async function claim(deliveryId: string): Promise<Claim> {
    const token = randomUUID();
    return db.runTransaction(async (tx): Promise<Claim> => {
      const ref = deliveryRef(deliveryId);
      const delivery = readRecord(await tx.get(ref), storedDeliverySchema, DELIVERY);
      if (!delivery) return { outcome: "missing" };
      if (delivery.state !== "scheduled") return { outcome: "skipped" };
      const now = clock.now();
      if (delivery.dueAt.toMillis() > now + EARLY_TOLERANCE_MS) return { outcome: "early" };
      // Not a transactional read: every attempt would lock the endpoint document and concurrent
      // attempts against one endpoint would queue on it. A change made meanwhile (disabled,
      // deleted, new policy) applies from the next attempt.
      const endpoint = readRecord(await endpointRef(delivery.endpointId).get(), storedEndpointSchema, ENDPOINT);
      if (!endpoint) {
        tx.update(ref, { state: "cancelled", sweepAt: null, lastReason: "endpoint-deleted", updatedAt: ts(now) });
        return { outcome: "cancelled" };
      }
      if (!endpoint.enabled && !delivery.test) {
        tx.update(ref, { state: "held", sweepAt: null, lastReason: "endpoint-disabled", updatedAt: ts(now) });
        return { outcome: "held" };
      }
      const leaseUntil = ts(now + settings.leaseMs);
      tx.update(ref, { state: "in_flight", leaseToken: token, leaseUntil, sweepAt: leaseUntil, roundAttempts: delivery.roundAttempts + 1, totalAttempts: delivery.totalAttempts + 1, updatedAt: ts(now) });
      return { outcome: "claimed", delivery: { ...delivery, roundAttempts: delivery.roundAttempts + 1, totalAttempts: delivery.totalAttempts + 1 }, endpoint, token };
    });
  }

  /** Milliseconds to wait before this endpoint may take another attempt; 0 admits it (and holds a concurrency slot). */
  async function admission(endpointId: string, endpoint: StoredEndpoint, token: string): Promise<number> {
    if (deps.limiter) {
      try {
        // The policy's window is 6000 units a minute: an endpoint's perMinute is expressed as the cost of one attempt.
        const cost = Math.max(1, Math.round(WEBHOOK_RATE_UNITS_PER_MINUTE / endpoint.limits.perMinute));
        const decision = await deps.limiter.limit({ identity: { kind: "apiKey", id: `webhook-endpoint:${endpointId}`, tier: "enterprise" }, policy: WEBHOOK_RATE_POLICY, cost });
        if (!decision.allowed) return Math.max(1_000, decision.retryAfterMs);
      } catch (error) {
        // Fail open: the limit protects receivers from bursts; losing it for an outage delays nothing.
        log.warn("webhook_rate_limit_unavailable", { endpointId, error: error instanceof Error ? error.message : String(error) });
      }
    }
    const admitted = await deps.gate.acquire(endpointId, token, endpoint.limits.concurrency, settings.attemptTimeoutMs + 5_000, clock.now());
    return admitted ? 0 : 1_000 + Math.round(random() * 2_000);
  }

  /** Gives a claimed attempt back without counting it (rate limited or over the concurrency cap). */
  async function defer(deliveryId: string, token: string, waitMs: number): Promise<void> {
    await db.runTransaction(async (tx) => {
      const ref = deliveryRef(deliveryId);
      const delivery = readRecord(await tx.get(ref), storedDeliverySchema, DELIVERY);
      if (!delivery || delivery.leaseToken !== token) return;
      const due = ts(clock.now() + waitMs);
      tx.update(ref, { state: "scheduled", leaseToken: null, leaseUntil: null, dueAt: due, sweepAt: due, roundAttempts: delivery.roundAttempts - 1, totalAttempts: delivery.totalAttempts - 1, updatedAt: ts(clock.now()) });
    });
  }

  async function headersFor(delivery: StoredDelivery, deliveryId: string, endpointId: string, endpoint: StoredEndpoint, timestamp: number): Promise<Record<string, string>> {
    const now = clock.now();
    const secrets = await Promise.all(endpoint.secrets.filter((s) => !s.expiresAt || s.expiresAt.toMillis() > now).map((s) => deps.secrets.open(s.sealed, endpointId)));
    const webhookId = webhookIdOf(deliveryId);
    return {
      ...endpoint.headers,
      "content-type": "application/json",
      "user-agent": "RAG-Prompt-Library-Webhooks/1",
      "webhook-id": webhookId,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signatureHeader(secrets, webhookId, timestamp, delivery.payload),
    };
  }

  /** Records an attempt's answer, if this worker still owns the attempt (`token`); `endpoint` is the claim's snapshot. */
  async function record(deliveryId: string, token: string, endpoint: StoredEndpoint, response: WebhookResponse, durationMs: number): Promise<DeliverOutcome> {
    const applied = await db.runTransaction(async (tx) => {
      const ref = deliveryRef(deliveryId);
      const delivery = readRecord(await tx.get(ref), storedDeliverySchema, DELIVERY);
      if (!delivery || delivery.state !== "in_flight" || delivery.leaseToken !== token) return null;
      return applyOutcome(tx, deliveryId, delivery, endpoint, response, durationMs);
    });
    if (!applied) return "lease-lost";
    await settle(applied.followUp);
    return applied.outcome;
  }

  type FollowUp = { endpointId: string; workspaceId: string; outcome: AttemptOutcome } | null;

  /**
   * Writes an attempt's outcome in the caller's transaction: the delivery, its stats shard and the
   * failing streak's counter (blind writes, nothing else read). What it means for the endpoint is
   * returned as a follow-up for `settle`, after the commit.
   */
  function applyOutcome(tx: Transaction, deliveryId: string, delivery: StoredDelivery, endpoint: StoredEndpoint | null, response: WebhookResponse, durationMs: number): { outcome: DeliverOutcome; followUp: FollowUp } {
    const now = clock.now();
    const outcome = attemptOutcome({ delivery, endpoint, response, durationMs, now, random, autoDisable: settings.autoDisable });
    tx.update(deliveryRef(deliveryId), outcome.delivery);
    recordAttemptStat(db, tx, { endpointId: delivery.endpointId, workspaceId: delivery.workspaceId, eventType: delivery.eventType, ok: outcome.attempt.ok, reason: outcome.attempt.reason, durationMs, at: now }, random);
    if (endpoint && outcome.streak !== null) countStreakFailure(db, tx, delivery.endpointId, outcome.streak, now, random);
    const result = outcome.decision.result;
    if (result === "exhausted" || result === "gone") log.warn("webhook_dead_lettered", { deliveryId, endpointId: delivery.endpointId, reason: outcome.decision.reason, attempts: delivery.roundAttempts });
    return { outcome: result === "delivered" ? "delivered" : result === "retry" ? "retry" : "dead", followUp: endpoint ? { endpointId: delivery.endpointId, workspaceId: delivery.workspaceId, outcome } : null };
  }

  /**
   * The endpoint's side of a recorded attempt: its health on a change of state or a heartbeat, and
   * disabling it. Best effort (health is advisory; the next attempt writes it again): a failure
   * here is logged, never turned into a retry of an attempt that is already recorded.
   */
  async function settle(followUp: FollowUp): Promise<void> {
    if (!followUp) return;
    const { endpointId, outcome } = followUp;
    try {
      if (outcome.health) {
        const update = { ...outcome.health };
        if (outcome.refreshCount && outcome.streak !== null) update["health.consecutiveFailures"] = await streakFailures(db, endpointId, outcome.streak);
        await endpointRef(endpointId).update(update);
      }
      if (outcome.disable) await disable(followUp.workspaceId, endpointId, outcome.disable);
    } catch (error) {
      if ((error as { code?: unknown }).code === 5) return;
      log.warn("webhook_health_not_updated", { endpointId, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Disables an endpoint (410 at once; a long streak once its count reaches the policy's), with its domain event in the same transaction. */
  async function disable(workspaceId: string, endpointId: string, { reason, streak }: { reason: "gone" | "failing"; streak: number }): Promise<void> {
    const failures = await streakFailures(db, endpointId, streak);
    if (reason === "failing" && failures < settings.autoDisable.consecutiveFailures) return;
    await db.runTransaction(async (tx) => {
      const endpoint = readRecord(await tx.get(endpointRef(endpointId)), storedEndpointSchema, ENDPOINT);
      // Already disabled, or a success ended the streak meanwhile.
      if (!endpoint?.enabled || (reason === "failing" && endpoint.health.failingSince?.toMillis() !== streak)) return;
      const at = ts(clock.now());
      const consecutiveFailures = Math.max(1, failures);
      tx.update(endpointRef(endpointId), { enabled: false, disabledReason: reason, updatedAt: at, "health.consecutiveFailures": consecutiveFailures, "health.lastFailureAt": at });
      const data = { endpointId, url: new URL(endpoint.url).origin, reason, consecutiveFailures };
      appendEvent(db, tx, { type: "webhook.endpoint_disabled", workspaceId, subject: `webhookEndpoints/${endpointId}`, occurredAt: at.toMillis(), data });
      log.warn("webhook_endpoint_disabled", { endpointId, workspaceId, reason, consecutiveFailures });
    });
  }

  /** One attempt of one delivery; a duplicate, early or stale message is a no-op. */
  async function deliver(deliveryId: string): Promise<DeliverOutcome> {
    const claimed = await claim(deliveryId);
    if (claimed.outcome !== "claimed") return claimed.outcome;
    const { delivery, endpoint, token } = claimed;
    const wait = await admission(delivery.endpointId, endpoint, token);
    if (wait > 0) {
      await defer(deliveryId, token, wait);
      return "deferred";
    }
    try {
      const timestamp = Math.floor(clock.now() / 1000);
      const headers = await headersFor(delivery, deliveryId, delivery.endpointId, endpoint, timestamp);
      const started = performance.now();
      const response = await deps.http({ url: endpoint.url, headers, body: delivery.payload, timeoutMs: settings.attemptTimeoutMs });
      return await record(deliveryId, token, endpoint, response, performance.now() - started);
    } finally {
      await deps.gate.release(delivery.endpointId, token);
    }
  }

  return { fanOut, deliver, sendTest, publish, applyOutcome, settle, deliveryRef, endpointRef, settings };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
