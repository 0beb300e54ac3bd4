import { z } from "zod";
import type { WebhookResponse } from "./webhook-http";

/** When a failed attempt is retried; per endpoint, defaults below. */
export const retryPolicySchema = z.strictObject({
  /** Delay before the second attempt. @default 1000 */
  initialMs: z.number().int().min(1000).max(3_600_000),
  /** Each further delay is the previous one times this. @default 2 */
  factor: z.number().min(1).max(10),
  /** Longest delay between two attempts. @default 300000 */
  maxMs: z.number().int().min(1000).max(24 * 3_600_000),
  /**
   * Attempts per delivery (the first included) before it is dead-lettered. Against a receiver
   * failing 30% of attempts independently, 0.3^n of events end dead: 0.24% with 5, 0.007% with 8.
   * @default 8
   */
  maxAttempts: z.number().int().min(1).max(20),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialMs: 1_000, factor: 2, maxMs: 300_000, maxAttempts: 8 };

/** A receiver's `Retry-After` is honoured up to this; a longer one is capped (the delivery is not parked for days). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** Why an attempt failed, as counted in analytics and shown in the delivery log. */
export type FailureReason = "redirect" | "gone" | "rate-limited" | "http-4xx" | "http-5xx" | "http-other" | "timeout" | "dns" | "blocked-address" | "invalid-url" | "connection" | "interrupted";

export function failureReason(response: WebhookResponse): FailureReason | null {
  if (response.kind === "error") return response.reason;
  const { status } = response;
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) return "redirect";
  if (status === 410) return "gone";
  if (status === 429) return "rate-limited";
  if (status >= 400 && status < 500) return "http-4xx";
  if (status >= 500 && status < 600) return "http-5xx";
  return "http-other";
}

/** Exponential backoff with equal jitter: half the delay is fixed, half random, so retries of one outage spread out. */
export function backoffMs(policy: RetryPolicy, failedAttempt: number, random: () => number): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, failedAttempt - 1));
  return Math.round(base / 2 + random() * (base / 2));
}

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : null;
}

export type AttemptDecision =
  | { result: "delivered" }
  /** 410 Gone: the endpoint is disabled at once and the delivery dead-lettered. */
  | { result: "gone"; reason: "gone" }
  | { result: "retry"; reason: FailureReason; delayMs: number }
  | { result: "exhausted"; reason: FailureReason };

/** What follows attempt number `attempt` (1-based, within the current round) that got `response`. */
export function decideAttempt(policy: RetryPolicy, attempt: number, response: WebhookResponse, now: number, random: () => number): AttemptDecision {
  const reason = failureReason(response);
  if (reason === null) return { result: "delivered" };
  if (reason === "gone") return { result: "gone", reason };
  if (attempt >= policy.maxAttempts) return { result: "exhausted", reason };
  const honoured = response.kind === "response" && (response.status === 429 || response.status === 503) ? retryAfterMs(response.retryAfter, now) : null;
  return { result: "retry", reason, delayMs: honoured ?? backoffMs(policy, attempt, random) };
}
