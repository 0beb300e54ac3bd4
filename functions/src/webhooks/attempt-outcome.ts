import { Timestamp } from "firebase-admin/firestore";
import { decideAttempt, DEFAULT_RETRY_POLICY, type AttemptDecision } from "./retry-policy";
import type { WebhookResponse } from "./webhook-http";
import { MAX_STORED_ATTEMPTS, type StoredAttempt, type StoredDelivery, type StoredEndpoint } from "./webhook-records";

/** When an endpoint that keeps failing is disabled: both must hold (a burst of failures alone is not enough). */
export type AutoDisablePolicy = {
  /** @default 20 */
  consecutiveFailures: number;
  /** @default 24 h */
  failingForMs: number;
};

export const DEFAULT_AUTO_DISABLE: AutoDisablePolicy = { consecutiveFailures: 20, failingForMs: 24 * 3_600_000 };

/** The log keeps this much of a response (or of an error's message). */
export const RESPONSE_EXCERPT_BYTES = 1024;

/** A success or failure refreshes `lastSuccessAt` / `lastFailureAt` at most this often. */
export const HEALTH_HEARTBEAT_MS = 60_000;

export type AttemptOutcome = {
  decision: AttemptDecision;
  attempt: StoredAttempt;
  delivery: Partial<StoredDelivery>;
  /**
   * Endpoint health fields to write (dotted paths), or null. Only a change of state (healthy to
   * failing, failing to healthy) or a due heartbeat writes: the endpoint document is never
   * written once per attempt, so a busy endpoint is not one hot document.
   */
  health: Record<string, unknown> | null;
  /** The failing streak (its `failingSince`, ms) this failed attempt counts towards; null for a success. */
  streak: number | null;
  /** With a heartbeat of a failing endpoint: refresh `consecutiveFailures` from the streak's counters. */
  refreshCount: boolean;
  /** This attempt disables the endpoint (410), or may (a streak past `failingForMs`: its count decides). */
  disable: { reason: "gone" | "failing"; streak: number } | null;
};

function excerpt(response: WebhookResponse): string {
  const text = response.kind === "response" ? response.body : response.message;
  const bytes = Buffer.from(text);
  return bytes.length <= RESPONSE_EXCERPT_BYTES ? text : bytes.subarray(0, RESPONSE_EXCERPT_BYTES).toString("utf8");
}

/** What an attempt's answer does to its delivery and its endpoint: the state machine in one place. */
export function attemptOutcome(args: {
  delivery: StoredDelivery;
  endpoint: StoredEndpoint | null;
  response: WebhookResponse;
  durationMs: number;
  now: number;
  random: () => number;
  autoDisable: AutoDisablePolicy;
}): AttemptOutcome {
  const { delivery, endpoint, response, now } = args;
  const at = Timestamp.fromMillis(now);
  const decision = decideAttempt(endpoint?.retry ?? DEFAULT_RETRY_POLICY, delivery.roundAttempts, response, now, args.random);
  const ok = decision.result === "delivered";
  const attempt: StoredAttempt = {
    n: delivery.totalAttempts,
    at,
    durationMs: Math.round(args.durationMs),
    statusCode: response.kind === "response" ? response.status : null,
    ok,
    reason: ok ? null : decision.reason,
    response: excerpt(response),
  };
  const attempts = [...delivery.attempts, attempt].slice(-MAX_STORED_ATTEMPTS);
  const released = { leaseToken: null, leaseUntil: null, attempts, updatedAt: at };
  let update: Partial<StoredDelivery>;
  if (decision.result === "delivered") update = { ...released, state: "delivered", deliveredAt: at, sweepAt: null, lastReason: null };
  else if (decision.result === "retry") update = { ...released, state: "scheduled", dueAt: Timestamp.fromMillis(now + decision.delayMs), sweepAt: Timestamp.fromMillis(now + decision.delayMs), lastReason: decision.reason };
  else update = { ...released, state: "dead", sweepAt: null, lastReason: decision.reason };

  const none = { health: null, streak: null, refreshCount: false, disable: null };
  if (!endpoint) return { decision, attempt, delivery: update, ...none };
  // `endpoint` is the snapshot the attempt was claimed with: read outside any transaction.
  const health = endpoint.health;
  const stale = (last: Timestamp | null) => !last || now - last.toMillis() > HEALTH_HEARTBEAT_MS;
  if (ok) {
    if (health.failingSince || health.consecutiveFailures > 0) return { decision, attempt, delivery: update, ...none, health: { "health.consecutiveFailures": 0, "health.failingSince": null, "health.lastSuccessAt": at } };
    return { decision, attempt, delivery: update, ...none, health: stale(health.lastSuccessAt) ? { "health.lastSuccessAt": at } : null };
  }
  const streak = health.failingSince?.toMillis() ?? now;
  let healthUpdate: Record<string, unknown> | null = null;
  if (!health.failingSince) healthUpdate = { "health.consecutiveFailures": 1, "health.failingSince": at, "health.lastFailureAt": at };
  else if (stale(health.lastFailureAt)) healthUpdate = { "health.lastFailureAt": at };
  let disable: AttemptOutcome["disable"] = null;
  if (endpoint.enabled && decision.result === "gone") disable = { reason: "gone", streak };
  else if (endpoint.enabled && health.failingSince && now - streak >= args.autoDisable.failingForMs) disable = { reason: "failing", streak };
  return { decision, attempt, delivery: update, health: healthUpdate, streak, refreshCount: healthUpdate !== null && health.failingSince !== null, disable };
}
