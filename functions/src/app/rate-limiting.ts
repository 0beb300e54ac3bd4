import type { CallableRequest } from "firebase-functions/v2/https";
import type { ApiKeyPrincipal, FailureReporter, RestGuard, RestScreen } from "../api/router";
import { asTier } from "../identity/plan";
import type { Caller, CallableGuard } from "../lib/callable";
import type { Clock } from "../lib/clock";
import { toRestError } from "../lib/error-mapping";
import {
  clientIp,
  createCallableGuard,
  limitRestRequest,
  rateLimitHeaders,
  refusalError,
  CHALLENGE_HEADER,
  type Identity,
  type RateLimiter,
} from "../lib/rate-limit";

export type RateLimitingDeps = {
  limiter: RateLimiter;
  /** Proxies of Google's own appending to X-Forwarded-For (see docs/rate-limiting.md). */
  trustedProxyHops: number;
  clock: Clock;
};

/** Callables: the user is the identity; its tier comes from the `plan` claim, else Firestore. */
export function callerIdentity(caller: Caller): Identity {
  const tier = asTier(caller.claims.plan);
  return { kind: "user", id: caller.uid, ...(tier ? { tier } : {}) };
}

/**
 * The limiter as each transport asks it: the callable guard, the REST guard and failure
 * reporter, and the challenge check of `verifyChallenge`. Built by the composition root.
 */
export function createRateLimiting({ limiter, trustedProxyHops }: RateLimitingDeps) {
  const ipOptions = { trustedProxyHops };

  const callableGuard: CallableGuard = createCallableGuard({ limiter, identify: callerIdentity, ip: ipOptions });

  /** REST: an API key is the identity, its workspace's plan the tier; no key means the client IP. */
  const restIdentity = (principal: ApiKeyPrincipal): Identity => ({ kind: "apiKey", id: principal.keyId, workspaceId: principal.workspaceId });

  const restGuard: RestGuard = async ({ rateLimit, principal, req }) => {
    const ip = clientIp(req, ipOptions);
    const identity: Identity = principal ? restIdentity(principal) : { kind: "ip", id: ip ?? "unknown" };
    const token = req.get(CHALLENGE_HEADER);
    const result = await limitRestRequest(limiter, {
      method: req.method,
      policy: rateLimit.policy,
      ...(rateLimit.cost !== undefined ? { cost: rateLimit.cost } : {}),
      identity,
      ip,
      ...(token ? { challengeToken: token } : {}),
    });
    return result.allowed ? { headers: result.headers } : { headers: result.headers, rejection: { status: result.status ?? 429, body: result.body } };
  };

  /**
   * REST, before the key is looked up: refuses an address this instance knows to be banned (or
   * denied) without any Redis or Firestore work.
   */
  const restScreen: RestScreen = (req) => {
    const decision = limiter.screen({ ip: clientIp(req, ipOptions), policy: "rest" });
    if (!decision) return undefined;
    const { status, body } = toRestError(refusalError(decision));
    return { headers: rateLimitHeaders(decision), rejection: { status, body: { ...body, retry_after: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)) } } };
  };

  /** A failure after the key was accepted counts against the key; before that, against the client IP. */
  const reportRestFailure: FailureReporter = async ({ req, kind, principal }) => {
    await limiter.recordFailure({ ip: clientIp(req, ipOptions), kind, policy: "rest", ...(principal ? { identity: restIdentity(principal) } : {}) });
  };

  /**
   * Clears "challenge required" for a callable caller whose challenge token the verifier accepts.
   * The limiter refuses before the (billed) verifier is called when the IP or the caller is
   * banned or the caller has spent the `challenge` policy; a rejected token counts as a failure
   * of the (signed-in) caller, not of its IP.
   */
  async function verifyCallerChallenge(caller: Caller, request: CallableRequest<unknown>, token: string): Promise<boolean> {
    const ip = request.rawRequest ? clientIp(request.rawRequest, ipOptions) : undefined;
    const identity = callerIdentity(caller);
    const { verified, refusal } = await limiter.verifyChallenge({ identity, token, ...(ip ? { ip } : {}) });
    if (refusal) throw refusalError(refusal);
    if (!verified) await limiter.recordFailure({ ip, identity, kind: "validation", policy: "verifyChallenge" });
    return verified;
  }

  return { limiter, callableGuard, restScreen, restGuard, reportRestFailure, verifyCallerChallenge };
}

export type RateLimiting = ReturnType<typeof createRateLimiting>;
