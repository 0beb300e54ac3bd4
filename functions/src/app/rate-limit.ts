import { defineInt, defineSecret, defineString } from "firebase-functions/params";
import type { Request } from "firebase-functions/v2/https";
import { LRUCache } from "lru-cache";
import type { FailureReporter, RestGuard } from "../api/router";
import { installCallableGuard, type Caller } from "../lib/callable";
import { systemClock } from "../lib/clock";
import { runtimeEnv, secretValue } from "../lib/config";
import {
  clientIp,
  createCallableGuard,
  createRateLimiter,
  createRateLimitOperations,
  createRecaptchaEnterpriseVerifier,
  createRedisStore,
  createTestChallengeVerifier,
  limitRestRequest,
  parseRateLimitJson,
  refusalError,
  rejectingChallengeVerifier,
  resolveRateLimitConfig,
  CHALLENGE_HEADER,
  type ChallengeVerifier,
  type Identity,
  type RateLimiter,
  type RateLimitOperations,
  type Tier,
} from "../lib/rate-limit";
import { readUserProfile } from "../identity/user-profile";
import { readWorkspace } from "../workspaces/workspace-service";
import { cache, cacheKeys } from "./cache";
import { firestore, redis } from "./clients";

/**
 * Rate-limit wiring. Configuration without a code change: `RATE_LIMITS_JSON` (a param) holds a
 * JSON object merged over the defaults of `lib/rate-limit/policies.ts` (tiers, policies and
 * their fail modes, abuse thresholds, allow/deny lists, static overrides); per-identity
 * overrides set through the operations live in Redis and apply on the next request.
 */
export const rateLimitParams = {
  json: defineString("RATE_LIMITS_JSON", { default: "", description: "JSON merged over the default rate-limit config (see docs/rate-limiting.md)." }),
  trustedProxyHops: defineInt("TRUSTED_PROXY_HOPS", {
    default: 1,
    description: "Proxies of Google's own appending to X-Forwarded-For (1 = Cloud Functions/Cloud Run, 2 = behind an external Application LB).",
  }),
  recaptchaSiteKey: defineString("RECAPTCHA_SITE_KEY", { default: "", description: "reCAPTCHA Enterprise site key for rate-limit challenges; empty disables challenges in production." }),
  recaptchaApiKey: defineSecret("RECAPTCHA_API_KEY"),
};

const TIERS = new Set<Tier>(["free", "pro", "enterprise"]);
const asTier = (value: unknown): Tier | undefined => (typeof value === "string" && TIERS.has(value as Tier) ? (value as Tier) : undefined);

/**
 * The tier resolver: the plan `loadPlan` finds, unknown being free. `loadPlan` reads through the
 * shared cache, so nothing is remembered here. The `plan` custom claim, when present, is used by
 * `identify` without any read.
 */
export function createPlanTierResolver(deps: { loadPlan: (identity: Identity) => Promise<unknown> }) {
  return async (identity: Identity): Promise<Tier> => asTier(await deps.loadPlan(identity)) ?? "free";
}

/** An API key's workspace never changes; the REST guard records it as keys authenticate. */
const workspaceOfKey = new LRUCache<string, string>({ max: 10_000 });

/**
 * The `plan` of `users/{uid}` (users) or `workspaces/{id}` (API keys, which carry their
 * workspace), through the shared cache: a plan change reaches every instance within the cache's
 * staleness bound, by the triggers on `users/{uid}` and `workspaces/{id}`.
 */
export async function loadPlan(identity: Identity): Promise<unknown> {
  if (identity.kind === "user") return (await cache().getOrLoad(cacheKeys.user(identity.id), () => readUserProfile(firestore(), identity.id), "user"))?.plan;
  const workspaceId = identity.kind === "apiKey" ? workspaceOfKey.get(identity.id) : undefined;
  if (workspaceId) return (await cache().getOrLoad(cacheKeys.workspace(workspaceId), () => readWorkspace(firestore(), workspaceId), "user"))?.plan;
  return undefined;
}

function challengeVerifier(): ChallengeVerifier {
  if (runtimeEnv().FUNCTIONS_EMULATOR === "true") return createTestChallengeVerifier(process.env.RATE_LIMIT_TEST_CHALLENGE_TOKEN || undefined);
  const siteKey = rateLimitParams.recaptchaSiteKey.value();
  const apiKey = secretValue(rateLimitParams.recaptchaApiKey);
  const projectId = runtimeEnv().GCLOUD_PROJECT;
  if (!siteKey || !apiKey || !projectId) return rejectingChallengeVerifier;
  return createRecaptchaEnterpriseVerifier({ fetch, projectId, siteKey, apiKey });
}

let built: { limiter: RateLimiter; operations: RateLimitOperations | null } | undefined;

/** The limiter of this instance, built on first use from `redis()` and the config. */
export function rateLimiter(): RateLimiter {
  return wired().limiter;
}

/** Admin operations; null when no Redis is configured (state then lives in memory only). */
export function rateLimitOperations(): RateLimitOperations | null {
  return wired().operations;
}

function wired() {
  if (built) return built;
  const config = resolveRateLimitConfig(parseRateLimitJson(rateLimitParams.json.value()), undefined);
  const client = redis();
  const store = client ? createRedisStore(client) : null;
  const limiter = createRateLimiter({
    config: { ...config, redis: { ...config.redis, timeoutMs: Math.min(config.redis.timeoutMs, runtimeEnv().REDIS_TIMEOUT_MS) } },
    store,
    clock: systemClock,
    resolveTier: createPlanTierResolver({ loadPlan }),
    verifier: challengeVerifier(),
  });
  built = { limiter, operations: store ? createRateLimitOperations({ store, limiter, config, clock: systemClock }) : null };
  return built;
}

/** Tests hand in a limiter wired to their own Redis (or reset with undefined). */
export function overrideRateLimiter(next: { limiter: RateLimiter; operations?: RateLimitOperations | null } | undefined): void {
  built = next ? { limiter: next.limiter, operations: next.operations ?? null } : undefined;
}

const ipOptions = () => ({ trustedProxyHops: rateLimitParams.trustedProxyHops.value() });

/** Callables: the user is the identity; its tier comes from the `plan` claim, else Firestore. */
export function callerIdentity(caller: Caller): Identity {
  const tier = asTier(caller.claims.plan);
  return { kind: "user", id: caller.uid, ...(tier ? { tier } : {}) };
}

installCallableGuard(() => createCallableGuard({ limiter: rateLimiter(), identify: callerIdentity, ip: ipOptions() }));

/** REST: pass as `guard` to `createRouter`; an API key is the identity, its workspace's plan the tier. */
export const restRateLimitGuard: RestGuard = async ({ route, principal, req }) => {
  const ip = clientIp(req, ipOptions());
  if (principal) workspaceOfKey.set(principal.keyId, principal.workspaceId);
  const identity: Identity = principal ? { kind: "apiKey", id: principal.keyId } : { kind: "ip", id: ip ?? "unknown" };
  const token = req.get(CHALLENGE_HEADER);
  const result = await limitRestRequest(rateLimiter(), {
    method: req.method,
    policy: route.rateLimit.policy,
    ...(route.rateLimit.cost !== undefined ? { cost: route.rateLimit.cost } : {}),
    identity,
    ip,
    ...(token ? { challengeToken: token } : {}),
  });
  return result.allowed ? { headers: result.headers } : { headers: result.headers, rejection: { status: result.status ?? 429, body: result.body } };
};

/** REST: pass as `reportFailure` to `createRouter`. */
export const reportRestFailure: FailureReporter = async ({ req, kind }: { req: Request; kind: "authentication" | "validation" }) => {
  await rateLimiter().recordFailure({ ip: clientIp(req, ipOptions()), kind, policy: "rest" });
};

export { callableHandler } from "../lib/callable";

/**
 * Clears "challenge required" for a callable caller whose challenge token the verifier accepts.
 * A rejected token counts as a failed request from the caller's IP; an accepted one then spends
 * from the `auth` policy like any other call, so this path is limited too.
 */
export async function verifyCallerChallenge(caller: Caller, rawRequest: Request | undefined, token: string): Promise<boolean> {
  const limiter = rateLimiter();
  const ip = rawRequest ? clientIp(rawRequest, ipOptions()) : undefined;
  const identity = callerIdentity(caller);
  const verified = await limiter.verifyChallenge({ identity, token, ...(ip ? { ip } : {}) });
  if (!verified) {
    await limiter.recordFailure({ ip, kind: "validation", policy: "verifyChallenge" });
    return false;
  }
  const decision = await limiter.limit({ identity, policy: "auth", ...(ip ? { ip } : {}) });
  if (!decision.allowed) throw refusalError(decision);
  return true;
}
