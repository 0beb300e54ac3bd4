import type { CallableRequest } from "firebase-functions/v2/https";
import { callerOf, type Caller, type CallableGuard } from "../callable";
import { clientIp, type ClientIpOptions } from "./client-ip";
import type { RateLimiter } from "./limiter";
import { failureBanError, refusalError } from "./refusals";
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
    /**
     * A signed-in caller's failure (the platform verified its ID token, so `request.auth` is set)
     * counts against the user; only a call without a valid token counts against the client IP.
     */
    async reportFailure({ kind, name, request }) {
      const identity = request.auth?.uid ? identify(callerOf(request)) : undefined;
      const result = await deps.limiter.recordFailure({ ip: ipOf(request), kind, policy: name, ...(identity ? { identity } : {}) });
      return result.banned ? failureBanError(result) : undefined;
    },
  };
}
