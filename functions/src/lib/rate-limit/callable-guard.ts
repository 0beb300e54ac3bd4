import type { CallableRequest } from "firebase-functions/v2/https";
import type { Caller, CallableGuard } from "../callable";
import { PermissionDeniedError } from "../errors";
import { clientIp, type ClientIpOptions } from "./client-ip";
import type { RateLimiter } from "./limiter";
import { refusalError } from "./refusals";
import type { Identity } from "./types";

export const CHALLENGE_HEADER = "x-challenge-token";

/**
 * Connects the limiter to `callableHandler`: the caller's identity (a user; its tier resolved by
 * `identify` or the limiter's resolver), the client IP from the raw request, the challenge token
 * header, and refusals turned into typed errors (`resource-exhausted` with
 * `{ retryAfter, limit, remaining, reset }`, bans `permission-denied`, challenges
 * `failed-precondition`).
 */
export function createCallableGuard(deps: {
  limiter: Pick<RateLimiter, "limit" | "recordFailure">;
  identify?: (caller: Caller) => Identity;
  ip?: ClientIpOptions;
}): CallableGuard {
  const identify = deps.identify ?? ((caller: Caller): Identity => ({ kind: "user", id: caller.uid }));
  const ipOf = (request: CallableRequest<unknown>) => (request.rawRequest ? clientIp(request.rawRequest, deps.ip) : undefined);
  return {
    async limit({ rateLimit, caller, request }) {
      const token = request.rawRequest?.headers?.[CHALLENGE_HEADER];
      const ip = ipOf(request);
      const decision = await deps.limiter.limit({
        identity: identify(caller),
        policy: rateLimit.policy,
        ...(rateLimit.cost !== undefined ? { cost: rateLimit.cost } : {}),
        ...(ip ? { ip } : {}),
        ...(typeof token === "string" && token ? { challengeToken: token } : {}),
      });
      if (!decision.allowed) throw refusalError(decision);
    },
    async reportFailure({ kind, name, request }) {
      const result = await deps.limiter.recordFailure({ ip: ipOf(request), kind, policy: name });
      if (!result.banned) return undefined;
      const retryAfter = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
      return new PermissionDeniedError(`Too many failed requests from this address. Try again in ${retryAfter} s.`, { reason: "ip_banned", retryAfter });
    },
  };
}
