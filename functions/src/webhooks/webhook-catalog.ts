import { z } from "zod";
import { DOMAIN_EVENT_TYPES } from "../events/event-records";
import type { PublishedDomainEvent } from "../events/event-stats";

/**
 * The webhook event catalog: the payload every event type is delivered with. A domain event's
 * `data` is parsed with its type's schema before it leaves, so only documented fields go out
 * (unknown fields are stripped) and the OpenAPI `webhooks` section is generated from here.
 */

/** Largest payload delivered; an event over it is dead-lettered at fan-out, never truncated. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

const id = z.string().min(1).max(128);
const ref = { workspaceId: id };

const execution = {
  ...ref,
  executionId: id,
  promptId: id,
  version: z.number().int().positive(),
  label: z.string().nullable().optional(),
  providerId: z.string().optional(),
  model: z.string().optional(),
  createdBy: id.optional(),
  latencyMs: z.number().nonnegative().optional(),
};

export const WEBHOOK_EVENT_SCHEMAS = {
  "execution.completed": z.object({
    ...execution,
    usage: z.looseObject({ inputTokens: z.number().int().optional(), outputTokens: z.number().int().optional() }).optional(),
    costUsd: z.number().nonnegative().optional(),
    finishReason: z.string().optional(),
    citationCount: z.number().int().nonnegative().optional(),
  }).describe("An execution finished with an answer."),
  "execution.failed": z.object({ ...execution, error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }).nullable().optional() }).describe("An execution failed."),
  "prompt.version_created": z.object({ ...ref, promptId: id, version: z.number().int().positive(), createdBy: id }).describe("A prompt got a new immutable version (version 1 with the prompt)."),
  "prompt.label_moved": z.object({
    ...ref,
    promptId: id,
    label: z.string(),
    version: z.number().int().positive().nullable().describe("The version the label now points at; null when the label was deleted."),
    previousVersion: z.number().int().positive().nullable(),
    movedBy: id,
  }).describe("A label was set, moved (a rollback is a move back) or deleted."),
  "document.ready": z.object({ ...ref, documentId: id, chunkCount: z.number().int().nonnegative().optional() }).describe("A document was chunked and embedded and can be retrieved."),
  "document.failed": z.object({ ...ref, documentId: id, failureCode: z.string().optional() }).describe("A document could not be ingested."),
  "member.added": z.object({ ...ref, uid: id, role: z.string(), addedBy: id }).describe("A user became a member of the workspace."),
  "member.removed": z.object({ ...ref, uid: id, removedBy: id }).describe("A member was removed from the workspace."),
  "api_key.created": z.object({ ...ref, keyId: id, name: z.string(), scopes: z.array(z.string()), createdBy: id }).describe("An API key was created (never its secret)."),
  "api_key.revoked": z.object({ ...ref, keyId: id, revokedBy: id }).describe("An API key was revoked."),
  "webhook.endpoint_disabled": z.object({
    ...ref,
    endpointId: id,
    url: z.string(),
    reason: z.enum(["gone", "failing"]),
    consecutiveFailures: z.number().int().nonnegative(),
  }).describe("A webhook endpoint was disabled by the system (410 Gone, or failing continuously); its events are kept."),
  "webhook.test": z.object({ ...ref, endpointId: id, message: z.string() }).describe("Sent by `sendWebhookTest`; never emitted otherwise."),
} satisfies Record<(typeof DOMAIN_EVENT_TYPES)[number] | "webhook.test", z.ZodType>;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_SCHEMAS;
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENT_SCHEMAS) as [WebhookEventType, ...WebhookEventType[]];
/** Types an endpoint may subscribe to (the test event reaches every endpoint it is sent to). */
export const SUBSCRIBABLE_EVENT_TYPES = DOMAIN_EVENT_TYPES;

/** The envelope every delivery carries (Standard Webhooks: `type`, `timestamp`, `data`). */
export function webhookPayloadSchema<S extends z.ZodType>(type: string, data: S) {
  return z.object({ type: z.literal(type), timestamp: z.iso.datetime({ offset: true }).describe("When the event happened."), data });
}

export class PayloadTooLargeForWebhookError extends Error {}

/**
 * The delivered body of a domain event, as JSON text. Throws a zod error when the event's data
 * does not match its documented schema (a bug upstream: the worker dead-letters it) and
 * `PayloadTooLargeForWebhookError` past `MAX_PAYLOAD_BYTES`.
 */
export function webhookBody(event: Pick<PublishedDomainEvent, "type" | "occurredAt" | "workspaceId" | "data">): string {
  const schema: z.ZodType = WEBHOOK_EVENT_SCHEMAS[event.type];
  const data: unknown = schema.parse({ ...event.data, workspaceId: event.workspaceId });
  return encodeBody(event.type, event.occurredAt, data);
}

export function encodeBody(type: string, timestamp: string, data: unknown): string {
  const body = JSON.stringify({ type, timestamp, data });
  if (Buffer.byteLength(body) > MAX_PAYLOAD_BYTES) throw new PayloadTooLargeForWebhookError(`The ${type} payload exceeds ${MAX_PAYLOAD_BYTES} bytes.`);
  return body;
}

/** The catalog as the OpenAPI `webhooks` section wants it: each type's full delivered body and its description. */
export function webhookEventDocs(): Record<string, { payload: z.ZodType; summary: string }> {
  return Object.fromEntries(
    Object.entries(WEBHOOK_EVENT_SCHEMAS).map(([type, data]: [string, z.ZodType]) => [type, { payload: webhookPayloadSchema(type, data).describe(data.description ?? type), summary: data.description ?? type }]),
  );
}
