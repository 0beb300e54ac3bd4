import { bindingWindow, retryAfterSeconds } from "./refusals";
import type { Decision } from "./types";

/**
 * Response headers for a decision, on success and refusal alike:
 * - `X-RateLimit-Limit` / `-Remaining` for the binding window, `X-RateLimit-Reset` as epoch
 *   seconds when it next frees capacity (for a refusal: when the retry can succeed);
 * - `Retry-After` (seconds) on refusals;
 * - IETF `RateLimit-Policy` (every window) and `RateLimit` (binding window, `t` in seconds), as in
 *   draft-ietf-httpapi-ratelimit-headers.
 * Decisions made by an allow list or without windows carry no limit headers.
 */
export function rateLimitHeaders(decision: Decision): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!decision.allowed) headers["Retry-After"] = String(retryAfterSeconds(decision));
  const window = bindingWindow(decision.windows);
  if (!window) return headers;
  const resetAtMs = decision.allowed ? window.resetAt : decision.at + decision.retryAfterMs;
  const remaining = decision.allowed ? window.remaining : 0;
  headers["X-RateLimit-Limit"] = String(window.limit);
  headers["X-RateLimit-Remaining"] = String(remaining);
  headers["X-RateLimit-Reset"] = String(Math.ceil(resetAtMs / 1000));
  headers["RateLimit-Policy"] = decision.windows.map((w) => `"${windowName(w.windowMs)}";q=${w.limit};w=${Math.ceil(w.windowMs / 1000)}`).join(", ");
  headers["RateLimit"] = `"${windowName(window.windowMs)}";r=${remaining};t=${Math.max(0, Math.ceil((resetAtMs - decision.at) / 1000))}`;
  return headers;
}

function windowName(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
