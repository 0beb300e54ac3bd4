import { toRestError } from "../error-mapping";
import { rateLimitHeaders } from "./headers";
import type { RateLimiter } from "./limiter";
import { bindingWindow, refusalError, retryAfterSeconds } from "./refusals";
import type { Decision, Identity } from "./types";

export type RestLimitArgs = {
  method: string;
  /** The route's policy. @default "read" for GET/HEAD/OPTIONS, else "write" */
  policy?: string;
  cost?: number;
  identity: Identity;
  /** From `clientIp(req)`. */
  ip: string | undefined;
  /** `X-Challenge-Token` header, when the client sends one. */
  challengeToken?: string;
};

export type RestLimitResult = {
  allowed: boolean;
  headers: Record<string, string>;
  status?: number;
  body?: unknown;
  decision: Decision;
};

/**
 * Framework-agnostic REST limiting: call it before the handler and apply `headers` to every
 * response. A refusal carries status and body: 429 keeps the API error shape and adds the
 * fields clients look for, `{ error: { code, message, details }, retry_after, limit, remaining: 0 }`;
 * bans answer 403, challenges 412, an outage of a fail-closed route 503.
 */
export async function limitRestRequest(limiter: Pick<RateLimiter, "limit">, args: RestLimitArgs): Promise<RestLimitResult> {
  const policy = args.policy ?? (/^(GET|HEAD|OPTIONS)$/i.test(args.method) ? "read" : "write");
  const decision = await limiter.limit({
    identity: args.identity,
    policy,
    ...(args.cost !== undefined ? { cost: args.cost } : {}),
    ...(args.ip ? { ip: args.ip } : {}),
    ...(args.challengeToken ? { challengeToken: args.challengeToken } : {}),
  });
  const headers = rateLimitHeaders(decision);
  if (decision.allowed) return { allowed: true, headers, decision };
  const { status, body } = toRestError(refusalError(decision));
  if (decision.reason === "rate_limited") {
    const extra = { retry_after: retryAfterSeconds(decision), limit: bindingWindow(decision.windows)?.limit ?? 0, remaining: 0 };
    return { allowed: false, headers, status, body: { ...body, ...extra }, decision };
  }
  return { allowed: false, headers, status, body: { ...body, retry_after: retryAfterSeconds(decision) }, decision };
}

/** Sets the limit headers on an Express-style response. */
export function applyRateLimitHeaders(res: { set(field: string, value: string): unknown }, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) res.set(name, value);
}
