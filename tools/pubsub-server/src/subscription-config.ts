/**
 * Validation and defaults of a Subscription, as production applies them on create and update.
 * The stored resource is what Get/List return; `deliverySettings` derives the delivery rules.
 */
import { invalidArgument, notFound } from "./errors";
import { compileFilter } from "./filter";
import { DAY, durationMs, MINUTE, SECOND, toDuration } from "./time";
import type { PushConfig, Subscription } from "./types";

export const DEFAULT_ACK_DEADLINE_S = 10;
const MAX_ACK_DEADLINE_S = 600;
const DEFAULT_RETENTION_MS = 7 * DAY;
const DEFAULT_MIN_BACKOFF_MS = 10 * SECOND;
const DEFAULT_MAX_BACKOFF_MS = 600 * SECOND;
const DEFAULT_EXPIRATION_TTL_MS = 31 * DAY;
const DEFAULT_MAX_DELIVERY_ATTEMPTS = 5;

/** Fields UpdateSubscription may change (filter and ordering are immutable in production). */
export const UPDATABLE = new Set([
  "ack_deadline_seconds",
  "push_config",
  "retain_acked_messages",
  "message_retention_duration",
  "labels",
  "expiration_policy",
  "dead_letter_policy",
  "retry_policy",
  "enable_exactly_once_delivery",
  "detached",
]);

export type TopicExists = (name: string) => boolean;

function inRange(ms: number | undefined, min: number, max: number, what: string): void {
  if (ms !== undefined && (ms < min || ms > max)) throw invalidArgument(`Invalid ${what}: must be between ${min / 1000}s and ${max / 1000}s`);
}

/** Only loopback http endpoints: this server must not become a way to reach other hosts. */
export function validatePushEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalidArgument(`Invalid push_endpoint: ${endpoint}`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || host === "::1" || /^127\./.test(host);
  if (url.protocol !== "http:" || !loopback) {
    throw invalidArgument(`Invalid push_endpoint: this local server only pushes to http:// loopback addresses (${endpoint})`);
  }
}

function normalisePush(push: PushConfig | undefined): PushConfig {
  if (!push?.push_endpoint) return {};
  validatePushEndpoint(push.push_endpoint);
  const out: PushConfig = { push_endpoint: push.push_endpoint, attributes: push.attributes ?? {} };
  if (push.oidc_token) out.oidc_token = push.oidc_token;
  if (push.no_wrapper) out.no_wrapper = push.no_wrapper;
  else out.pubsub_wrapper = {};
  return out;
}

/** Validates `sub` and fills production's defaults. */
export function normaliseSubscription(sub: Subscription, topicExists: TopicExists): Subscription {
  const ack = sub.ack_deadline_seconds || DEFAULT_ACK_DEADLINE_S;
  if (ack < DEFAULT_ACK_DEADLINE_S || ack > MAX_ACK_DEADLINE_S) throw invalidArgument(`Invalid ack_deadline_seconds: ${ack} (must be 10-600)`);
  const retention = durationMs(sub.message_retention_duration) ?? DEFAULT_RETENTION_MS;
  inRange(retention, 10 * MINUTE, 7 * DAY, "message_retention_duration");
  compileFilter(sub.filter);
  const out: Subscription = {
    name: sub.name,
    topic: sub.topic,
    push_config: normalisePush(sub.push_config),
    ack_deadline_seconds: ack,
    retain_acked_messages: !!sub.retain_acked_messages,
    message_retention_duration: toDuration(retention),
    labels: sub.labels ?? {},
    enable_message_ordering: !!sub.enable_message_ordering,
    expiration_policy: sub.expiration_policy ?? { ttl: toDuration(DEFAULT_EXPIRATION_TTL_MS) },
    filter: sub.filter ?? "",
    detached: !!sub.detached,
    enable_exactly_once_delivery: !!sub.enable_exactly_once_delivery,
    state: "ACTIVE",
  };
  if (sub.retry_policy) {
    const min = durationMs(sub.retry_policy.minimum_backoff) ?? DEFAULT_MIN_BACKOFF_MS;
    const max = durationMs(sub.retry_policy.maximum_backoff) ?? DEFAULT_MAX_BACKOFF_MS;
    inRange(min, 0, DEFAULT_MAX_BACKOFF_MS, "minimum_backoff");
    inRange(max, 0, DEFAULT_MAX_BACKOFF_MS, "maximum_backoff");
    if (min > max) throw invalidArgument("Invalid retry_policy: minimum_backoff is greater than maximum_backoff");
    out.retry_policy = { minimum_backoff: toDuration(min), maximum_backoff: toDuration(max) };
  }
  const dl = sub.dead_letter_policy;
  if (dl && (dl.dead_letter_topic || dl.max_delivery_attempts)) {
    if (!dl.dead_letter_topic) throw invalidArgument("Invalid dead_letter_policy: dead_letter_topic is required");
    if (!topicExists(dl.dead_letter_topic)) throw notFound(`Dead letter topic not found (resource=${dl.dead_letter_topic})`);
    const attempts = dl.max_delivery_attempts || DEFAULT_MAX_DELIVERY_ATTEMPTS;
    if (attempts < 5 || attempts > 100) throw invalidArgument(`Invalid max_delivery_attempts: ${attempts} (must be 5-100)`);
    out.dead_letter_policy = { dead_letter_topic: dl.dead_letter_topic, max_delivery_attempts: attempts };
  }
  return out;
}

/** Exponential backoff between the retry policy's bounds; push without one backs off 100ms..60s. */
export function backoffFor(sub: Subscription): (attempts: number) => number {
  const rp = sub.retry_policy;
  if (rp) {
    const min = durationMs(rp.minimum_backoff) ?? DEFAULT_MIN_BACKOFF_MS;
    const max = durationMs(rp.maximum_backoff) ?? DEFAULT_MAX_BACKOFF_MS;
    return (n) => Math.min(max, min * 2 ** Math.max(0, n - 1));
  }
  if (sub.push_config?.push_endpoint) return (n) => Math.min(60 * SECOND, 100 * 2 ** Math.max(0, n - 1));
  return () => 0;
}
