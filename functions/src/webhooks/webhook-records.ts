import { z } from "zod";
import { timestampField } from "../lib/firestore-records";
import { retryPolicySchema } from "./retry-policy";

/**
 * Firestore layout of webhooks. Top-level collections with a `workspaceId` field (not workspace
 * subcollections): the sweeper and the stats reader query across workspaces with single-field
 * indexes, and every service read checks the record's `workspaceId` against the caller's.
 *
 * - `webhookEndpoints/{endpointId}`: an endpoint, its sealed secrets, policy and health.
 * - `webhookDeliveries/{endpointId}_{eventId}`: one event for one endpoint (the id makes fan-out
 *   idempotent); `webhook-id` is derived from it, so it is the same on every attempt and replay.
 * - `webhookStats/{endpointId}_{day}_{shard}`: attempt counters, sharded to spread writes.
 * - `webhookRecoveries/{jobId}`: a recover-since-T job and its cursor.
 * - `webhookStreaks/{endpointId}_{failingSince}_{shard}`: failed attempts of a failing streak
 *   (endpoint-health.ts), so health never makes the endpoint document hot.
 */
export const WEBHOOK_ENDPOINTS = "webhookEndpoints";
export const WEBHOOK_DELIVERIES = "webhookDeliveries";
export const WEBHOOK_STATS = "webhookStats";
export const WEBHOOK_RECOVERIES = "webhookRecoveries";
export const WEBHOOK_STREAKS = "webhookStreaks";

export const deliveryIdOf = (endpointId: string, eventId: string) => `${endpointId}_${eventId}`;
export const webhookIdOf = (deliveryId: string) => `msg_${deliveryId}`;

const sealedSecretSchema = z.object({
  id: z.string(),
  /** `v1.<iv>.<tag>.<ciphertext>` (webhook-signing.ts); never the plaintext. */
  sealed: z.string(),
  createdAt: timestampField,
  /** Set on a secret replaced by rotation: it still signs until then. */
  expiresAt: timestampField.nullable(),
});
export type SealedSecret = z.infer<typeof sealedSecretSchema>;

/**
 * Written only when the state changes (healthy to failing and back) or a heartbeat is due (once a
 * minute); `consecutiveFailures` is refreshed from the streak counters on those writes.
 */
export const endpointHealthSchema = z.object({
  consecutiveFailures: z.number().int().nonnegative(),
  /** The first failed attempt of the current failing streak. */
  failingSince: timestampField.nullable(),
  lastSuccessAt: timestampField.nullable(),
  lastFailureAt: timestampField.nullable(),
});

export const storedEndpointSchema = z.object({
  workspaceId: z.string(),
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(z.string()),
  enabled: z.boolean(),
  /** Why it is disabled: by an admin, by a 410 answer, or failing continuously. */
  disabledReason: z.enum(["manual", "gone", "failing"]).nullable(),
  /** The current secret first, then rotated-out ones still within their grace period. */
  secrets: z.array(sealedSecretSchema).min(1),
  headers: z.record(z.string(), z.string()),
  retry: retryPolicySchema,
  /** Attempts started per minute, and at once, against this endpoint. */
  limits: z.object({ perMinute: z.number().int().positive(), concurrency: z.number().int().positive() }),
  health: endpointHealthSchema,
  createdBy: z.string(),
  createdAt: timestampField,
  updatedAt: timestampField,
});
export type StoredEndpoint = z.infer<typeof storedEndpointSchema>;

export const DELIVERY_STATES = ["scheduled", "in_flight", "delivered", "dead", "held", "cancelled"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const storedAttemptSchema = z.object({
  n: z.number().int().positive(),
  at: timestampField,
  durationMs: z.number().nonnegative(),
  statusCode: z.number().int().nullable(),
  ok: z.boolean(),
  reason: z.string().nullable(),
  /** The response's first KiB (or the error's message). */
  response: z.string(),
});
export type StoredAttempt = z.infer<typeof storedAttemptSchema>;

export const storedDeliverySchema = z.object({
  workspaceId: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  /** The exact body every attempt sends (signed as is). */
  payload: z.string(),
  state: z.enum(DELIVERY_STATES),
  /** Attempts in the current round (a replay or recovery starts a new round). */
  roundAttempts: z.number().int().nonnegative(),
  rounds: z.number().int().positive(),
  totalAttempts: z.number().int().nonnegative(),
  /** When the next attempt may start (state `scheduled`). */
  dueAt: timestampField,
  /** When the sweeper should look at it: a lost message re-published, a lost worker's lease taken back. Null when final. */
  sweepAt: timestampField.nullable(),
  leaseToken: z.string().nullable(),
  leaseUntil: timestampField.nullable(),
  /** The most recent attempts, oldest first (capped). */
  attempts: z.array(storedAttemptSchema),
  lastReason: z.string().nullable(),
  createdAt: timestampField,
  updatedAt: timestampField,
  deliveredAt: timestampField.nullable(),
  test: z.boolean(),
});
export type StoredDelivery = z.infer<typeof storedDeliverySchema>;

/** Attempts kept on a delivery; older ones drop off (their counts stay in stats). */
export const MAX_STORED_ATTEMPTS = 40;

export const storedRecoverySchema = z.object({
  workspaceId: z.string(),
  endpointId: z.string().nullable(),
  since: timestampField,
  /** Deliveries created after the job started are not its business (they have their own attempts). */
  until: timestampField,
  status: z.enum(["running", "done"]),
  cursor: z.object({ createdAt: timestampField, id: z.string() }).nullable(),
  scanned: z.number().int().nonnegative(),
  requeued: z.number().int().nonnegative(),
  leaseUntil: timestampField.nullable(),
  createdBy: z.string(),
  createdAt: timestampField,
  updatedAt: timestampField,
});
export type StoredRecovery = z.infer<typeof storedRecoverySchema>;
