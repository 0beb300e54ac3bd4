import { type AppError, FailedPreconditionError, PermissionDeniedError, RateLimitedError, UnavailableError } from "../errors";
import type { Decision, WindowState } from "./types";

/** The window a client should look at: the one with the least left (then the shorter one). */
export function bindingWindow(windows: WindowState[]): WindowState | undefined {
  return [...windows].sort((a, b) => a.remaining - b.remaining || a.windowMs - b.windowMs)[0];
}

export function retryAfterSeconds(decision: Decision): number {
  return Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
}

/** The error answering the failed request that started (or met) a ban, instead of its own error. */
export function failureBanError(outcome: { retryAfterMs: number; reason?: "ip_banned" | "identity_banned"; at: number }): AppError {
  const retryAfterMs = Math.max(0, outcome.retryAfterMs);
  return refusalError({ allowed: false, policy: "failures", reason: outcome.reason ?? "ip_banned", windows: [], retryAfterMs, source: "redis", at: outcome.at });
}

/**
 * The typed error for a refusal; the shared mapper turns it into the callable `HttpsError` and
 * the REST body. Each reason has its own code and message; `details.reason` names it exactly.
 */
export function refusalError(decision: Decision): AppError {
  const retryAfter = retryAfterSeconds(decision);
  const reset = Math.ceil((decision.at + decision.retryAfterMs) / 1000);
  switch (decision.reason) {
    case "ip_banned":
      return new PermissionDeniedError(`Too many failed requests from this address. Try again in ${retryAfter} s.`, { reason: "ip_banned", retryAfter, reset });
    case "identity_banned":
      return new PermissionDeniedError(`Too many failed requests from this account or key. Try again in ${retryAfter} s.`, { reason: "identity_banned", retryAfter, reset });
    case "challenge_required":
      return new FailedPreconditionError("Too many refused requests: solve the challenge and retry with its token in the X-Challenge-Token header.", {
        reason: "challenge_required",
        retryAfter,
        reset,
      });
    case "denied":
      return new PermissionDeniedError("Access from this client is blocked.", { reason: "denied" });
    case "unavailable":
      return new UnavailableError(`Rate limiting is unavailable; this operation does not run without it. Try again in ${retryAfter} s.`, {
        reason: "unavailable",
        retryAfter,
      });
    case "overloaded":
      return new UnavailableError(`This server is overloaded. Try again in ${retryAfter} s.`, { reason: "overloaded", retryAfter });
    default: {
      const window = bindingWindow(decision.windows);
      return new RateLimitedError("Rate limit exceeded", {
        reason: "rate_limited",
        retryAfter,
        limit: window?.limit ?? 0,
        remaining: 0,
        reset,
      });
    }
  }
}
