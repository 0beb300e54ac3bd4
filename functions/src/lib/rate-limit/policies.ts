import { z } from "zod";
import { validationErrorFrom } from "../validation";
import type { FailMode, Tier, WindowLimit } from "./types";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const windowSchema = z.strictObject({
  limit: z.number().int().positive().max(10_000_000),
  windowMs: z.number().int().min(100).max(7 * 24 * HOUR),
});
const windowsSchema = z.array(windowSchema).min(1).max(4);
const tierSchema = z.enum(["free", "pro", "enterprise", "anonymous"]);

const policySchema = z.strictObject({
  /** Cost units one request spends. @default 1 */
  cost: z.number().int().positive().max(100_000).default(1),
  /** Redis outage: "open" falls back to the per-instance limiter, "closed" refuses. */
  failMode: z.enum(["open", "closed"]),
  /** Policies sharing a bucket share their windows; a separate bucket has its own. @default "api" */
  bucket: z.string().regex(/^[a-z0-9_-]{1,32}$/).default("api"),
  /** Limits replacing the tier's for this policy (e.g. a stricter sign-in limit). */
  windows: windowsSchema.optional(),
  /** Why this fail mode: kept in config so the decision sits next to the policy. */
  why: z.string().max(300).optional(),
});

const failureSchema = z.strictObject({
  /** Failures within `windowMs` that trigger a ban. */
  threshold: z.number().int().positive(),
  windowMs: z.number().int().positive(),
  /** Ban durations, one per successive ban; the last one repeats (the cap). */
  banLadderMs: z.array(z.number().int().positive()).min(1).max(10),
  /** A ban this long after the previous one starts the ladder again. */
  ladderResetMs: z.number().int().positive(),
});

const listSchema = z.strictObject({
  /** Single addresses or CIDR ranges, IPv4 or IPv6. */
  ips: z.array(z.string()).default([]),
  apiKeys: z.array(z.string()).default([]),
  users: z.array(z.string()).default([]),
});

export const rateLimitConfigSchema = z.strictObject({
  tiers: z.record(tierSchema, windowsSchema),
  policies: z.record(z.string().regex(/^[a-z][a-zA-Z0-9_.-]{0,63}$/), policySchema),
  /** Anonymous failures (missing or bad credentials), counted per client IP: a ban refuses the IP. */
  failures: failureSchema,
  /**
   * Failures of an authenticated user or API key (invalid input, rejected challenge tokens),
   * counted per identity: a ban refuses that identity only, never others behind its IP.
   */
  identityFailures: failureSchema,
  challenge: z.strictObject({
    /** Refusals within `windowMs` that switch an identity to "challenge required"; 0 disables. */
    violations: z.number().int().min(0),
    windowMs: z.number().int().positive(),
    /** How long "challenge required" lasts if no challenge is solved. */
    ttlMs: z.number().int().positive(),
  }),
  allow: listSchema,
  deny: listSchema,
  /** Per-identity limits, keyed `user:<uid>`, `apiKey:<id>` or `ip:<address>`. */
  overrides: z.record(z.string(), windowsSchema),
  redis: z.strictObject({
    /** A Redis decision slower than this is abandoned for the fallback. @default 250 */
    timeoutMs: z.number().int().positive().max(10_000),
    /** After a failure, Redis is skipped for this long, then probed by one request. */
    retryIntervalMs: z.number().int().positive(),
  }),
  /** In-memory cache of refused identities (served without Redis until their reset). */
  blockCache: z.strictObject({ maxEntries: z.number().int().positive(), maxMs: z.number().int().positive() }),
  /** Per-instance limiter used while Redis is down. */
  fallback: z.strictObject({ maxEntries: z.number().int().positive() }),
});

export type RateLimitConfig = z.infer<typeof rateLimitConfigSchema>;
export type PolicyConfig = z.infer<typeof policySchema>;

/**
 * The defaults. Every value can be replaced without a code change (see `resolveRateLimitConfig`
 * and docs/rate-limiting.md); fail modes are decided here, next to each policy.
 */
export const DEFAULT_RATE_LIMIT_CONFIG: RateLimitConfig = {
  tiers: {
    free: [
      { limit: 10, windowMs: MINUTE },
      { limit: 100, windowMs: HOUR },
    ],
    pro: [
      { limit: 100, windowMs: MINUTE },
      { limit: 1_000, windowMs: HOUR },
    ],
    enterprise: [
      { limit: 1_000, windowMs: MINUTE },
      { limit: 10_000, windowMs: HOUR },
    ],
    anonymous: [{ limit: 50, windowMs: HOUR }],
  } satisfies Record<Tier, WindowLimit[]>,
  policies: {
    read: { cost: 1, failMode: "open", bucket: "api", why: "Reads are cheap; the per-instance fallback still bounds them." },
    write: { cost: 1, failMode: "open", bucket: "api", why: "Writes are authorised and validated; refusing all writes during an outage hurts more than it protects." },
    execute: {
      cost: 1,
      failMode: "open",
      bucket: "spend",
      why: "LLM spend in token units, reserved per run from the paying account and settled after; its own bucket so calls and spend never eat each other. The fallback keeps spend bounded per instance during an outage.",
    },
    auth: {
      cost: 1,
      failMode: "closed",
      bucket: "auth",
      why: "Sign-in and key creation are what credential stuffing and key farming target; never unlimited.",
    },
    admin: { cost: 1, failMode: "closed", bucket: "api", why: "Operations on other identities must not run unthrottled." },
    webhookDelivery: {
      cost: 10,
      failMode: "open",
      bucket: "webhooks",
      windows: [{ limit: 6_000, windowMs: MINUTE }],
      why: "Per receiving endpoint (cost = 6000 / the endpoint's perMinute); protects receivers from bursts, and an outage only delays nothing.",
    },
    challenge: {
      cost: 1,
      failMode: "closed",
      bucket: "challenge",
      windows: [{ limit: 10, windowMs: HOUR }],
      why: "Each verification is a billed assessment: at most 10 per identity per hour, checked (with the IP ban) before the verifier is called; closed, since lifting a challenge needs Redis anyway.",
    },
    health: {
      cost: 1,
      failMode: "open",
      bucket: "health",
      windows: [{ limit: 60, windowMs: MINUTE }],
      why: "Public, per client IP; its own bucket so uptime probes never spend an IP's API quota; open so an outage of Redis is still reported.",
    },
  },
  failures: { threshold: 10, windowMs: HOUR, banLadderMs: [HOUR, 6 * HOUR, 24 * HOUR], ladderResetMs: 7 * 24 * HOUR },
  // Looser and shorter than the IP's: a signed-in client with a bug is slowed, not locked out for a day.
  identityFailures: { threshold: 20, windowMs: 10 * MINUTE, banLadderMs: [15 * MINUTE, HOUR, 6 * HOUR], ladderResetMs: 24 * HOUR },
  challenge: { violations: 5, windowMs: MINUTE, ttlMs: HOUR },
  allow: { ips: [], apiKeys: [], users: [] },
  deny: { ips: [], apiKeys: [], users: [] },
  overrides: {},
  redis: { timeoutMs: 250, retryIntervalMs: 1_000 },
  blockCache: { maxEntries: 10_000, maxMs: MINUTE },
  fallback: { maxEntries: 10_000 },
};

/** The known policy names; a callable or route names one of these (config may add more). */
export type PolicyName = keyof typeof DEFAULT_RATE_LIMIT_CONFIG.policies | (string & {});

/**
 * Merges an override (parsed JSON, e.g. the `RATE_LIMITS_JSON` param or a config document) over
 * the defaults: objects merge key by key, arrays and scalars replace. The result is validated
 * as a whole; an invalid override throws naming the field, so a bad deploy fails fast.
 */
export function resolveRateLimitConfig(override: unknown, base: RateLimitConfig = DEFAULT_RATE_LIMIT_CONFIG): RateLimitConfig {
  const merged = override === undefined || override === null ? base : deepMerge(base, override);
  const parsed = rateLimitConfigSchema.safeParse(merged);
  if (!parsed.success) throw validationErrorFrom(parsed.error);
  return parsed.data;
}

export function parseRateLimitJson(json: string): unknown {
  if (!json.trim()) return undefined;
  try {
    const override: unknown = JSON.parse(json);
    return override;
  } catch {
    throw new Error("RATE_LIMITS_JSON is not valid JSON.");
  }
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
    out[key] = key in base ? deepMerge(base[key], value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function policyOf(config: RateLimitConfig, name: string): PolicyConfig {
  const policy = config.policies[name];
  if (!policy) throw new Error(`Unknown rate-limit policy "${name}": declare it in the rate-limit config.`);
  return policy;
}

export function failModeOf(config: RateLimitConfig, name: string): FailMode {
  return policyOf(config, name).failMode;
}
