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

export type AttemptOutcome = {
  decision: AttemptDecision;
  attempt: StoredAttempt;
  delivery: Partial<StoredDelivery>;
  /** Health changes of the endpoint, or null when nothing changed. */
  endpoint: Partial<StoredEndpoint> | null;
  /** Set when this attempt disables the endpoint. */
  disabled: { reason: "gone" | "failing"; consecutiveFailures: number } | null;
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

  if (!endpoint) return { decision, attempt, delivery: update, endpoint: null, disabled: null };
  const health = endpoint.health;
  if (ok) {
    const stale = !health.lastSuccessAt || now - health.lastSuccessAt.toMillis() > 60_000;
    const changed = health.consecutiveFailures > 0 || stale;
    return { decision, attempt, delivery: update, endpoint: changed ? { health: { consecutiveFailures: 0, failingSince: null, lastSuccessAt: at, lastFailureAt: health.lastFailureAt } } : null, disabled: null };
  }
  const failures = health.consecutiveFailures + 1;
  const failingSince = health.failingSince ?? at;
  const nextHealth = { ...health, consecutiveFailures: failures, failingSince, lastFailureAt: at };
  let disabled: AttemptOutcome["disabled"] = null;
  if (endpoint.enabled && decision.result === "gone") disabled = { reason: "gone", consecutiveFailures: failures };
  else if (endpoint.enabled && failures >= args.autoDisable.consecutiveFailures && now - failingSince.toMillis() >= args.autoDisable.failingForMs) disabled = { reason: "failing", consecutiveFailures: failures };
  const endpointUpdate: Partial<StoredEndpoint> = disabled ? { health: nextHealth, enabled: false, disabledReason: disabled.reason, updatedAt: at } : { health: nextHealth };
  return { decision, attempt, delivery: update, endpoint: endpointUpdate, disabled };
}
