import { z } from "zod";
import { fields } from "../lib/validation";
import { retryPolicySchema } from "./retry-policy";
import { SUBSCRIBABLE_EVENT_TYPES } from "./webhook-catalog";
import { DELIVERY_STATES } from "./webhook-records";

/** Endpoints one workspace may have. @default 20 */
export const MAX_ENDPOINTS_PER_WORKSPACE = 20;

const RESERVED_HEADERS = new Set(["host", "content-type", "content-length", "user-agent", "connection", "transfer-encoding", "keep-alive", "te", "upgrade", "proxy-authorization", "expect"]);

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, "Must be an HTTP header name")
  .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()) && !name.toLowerCase().startsWith("webhook-"), "Is set by the delivery itself");
const headerValue = z.string().max(1024).regex(/^[^\r\n\0]*$/, "Must be one line");

export const endpointFields = {
  url: z.url({ protocol: /^https?$/, error: "Must be an https URL" }).max(2048),
  eventTypes: z.array(z.enum(SUBSCRIBABLE_EVENT_TYPES)).min(1).max(SUBSCRIBABLE_EVENT_TYPES.length).refine((types) => new Set(types).size === types.length, "Must not repeat a type"),
  description: fields.description.max(500),
  headers: z.record(headerName, headerValue).refine((h) => Object.keys(h).length <= 10, "At most 10 headers"),
  retry: retryPolicySchema.partial(),
  limits: z.strictObject({
    /** Attempts started per minute. @default 600 */
    perMinute: z.number().int().min(1).max(6_000).optional(),
    /** Attempts in flight at once. @default 10 */
    concurrency: z.number().int().min(1).max(100).optional(),
  }),
};

const workspace = { workspaceId: fields.id };
const endpointId = fields.id;

export const createEndpointInput = z.strictObject({
  ...workspace,
  url: endpointFields.url,
  eventTypes: endpointFields.eventTypes,
  description: endpointFields.description.optional(),
  enabled: z.boolean().optional(),
  headers: endpointFields.headers.optional(),
  retry: endpointFields.retry.optional(),
  limits: endpointFields.limits.optional(),
});
export type CreateEndpointInput = z.output<typeof createEndpointInput>;

export const updateEndpointInput = z.strictObject({
  ...workspace,
  endpointId,
  url: endpointFields.url.optional(),
  eventTypes: endpointFields.eventTypes.optional(),
  description: endpointFields.description.optional(),
  headers: endpointFields.headers.optional(),
  retry: endpointFields.retry.optional(),
  limits: endpointFields.limits.optional(),
});
export type UpdateEndpointInput = z.output<typeof updateEndpointInput>;

export const endpointIdInput = z.strictObject({ ...workspace, endpointId });
export const listEndpointsInput = z.strictObject(workspace);
export const rotateSecretInput = z.strictObject({
  ...workspace,
  endpointId,
  /** How long the previous secret keeps signing next to the new one. @default 86400 (24 h) */
  graceSeconds: z.number().int().min(0).max(7 * 86_400).optional(),
});
export const listDeliveriesInput = z.strictObject({
  ...workspace,
  endpointId,
  state: z.enum(DELIVERY_STATES).optional(),
  limit: z.number().int().min(1).max(100).optional(),
  cursor: z.string().max(200).optional(),
});
export const deliveryIdInput = z.strictObject({ ...workspace, deliveryId: z.string().regex(/^[A-Za-z0-9_-]{1,300}$/) });
export const recoverInput = z.strictObject({
  ...workspace,
  /** Only this endpoint's deliveries; every endpoint of the workspace when absent. */
  endpointId: endpointId.optional(),
  since: z.iso.datetime({ offset: true }),
});
export const recoveryIdInput = z.strictObject({ ...workspace, jobId: fields.id });
export const statsInput = z.strictObject({ ...workspace, endpointId: endpointId.optional(), days: z.number().int().min(1).max(31).optional() });

const iso = z.string().nullable();
const statsView = z.object({
  attempts: z.number(),
  successes: z.number(),
  failures: z.number(),
  failuresByReason: z.record(z.string(), z.number()),
  successRate: z.number().nullable(),
  latencyP50Ms: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
});

export const endpointView = z.object({
  id: z.string(),
  workspaceId: z.string(),
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(z.string()),
  enabled: z.boolean(),
  disabledReason: z.enum(["manual", "gone", "failing"]).nullable(),
  /** Names of the custom headers; their values are never shown again. */
  headerNames: z.array(z.string()),
  /** Secrets that sign (the current one first); never their values. */
  secrets: z.array(z.object({ id: z.string(), createdAt: z.string(), expiresAt: iso })),
  retry: retryPolicySchema,
  limits: z.object({ perMinute: z.number(), concurrency: z.number() }),
  state: z.enum(["healthy", "failing", "disabled"]),
  consecutiveFailures: z.number(),
  failingSince: iso,
  lastSuccessAt: iso,
  lastFailureAt: iso,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EndpointView = z.infer<typeof endpointView>;

export const attemptView = z.object({ n: z.number(), at: z.string(), durationMs: z.number(), statusCode: z.number().nullable(), ok: z.boolean(), reason: z.string().nullable(), response: z.string() });

export const deliveryView = z.object({
  id: z.string(),
  webhookId: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  state: z.enum(DELIVERY_STATES),
  totalAttempts: z.number(),
  rounds: z.number(),
  nextAttemptAt: iso,
  lastReason: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: iso,
  test: z.boolean(),
  attempts: z.array(attemptView).optional(),
});
export type DeliveryView = z.infer<typeof deliveryView>;

export const recoveryView = z.object({
  id: z.string(),
  workspaceId: z.string(),
  endpointId: z.string().nullable(),
  since: z.string(),
  status: z.enum(["running", "done"]),
  scanned: z.number(),
  requeued: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RecoveryView = z.infer<typeof recoveryView>;

export const endpointStatsView = statsView.extend({ endpointId: z.string(), state: z.enum(["healthy", "failing", "disabled"]), byEventType: z.record(z.string(), statsView) });
export type EndpointStatsView = z.infer<typeof endpointStatsView>;
