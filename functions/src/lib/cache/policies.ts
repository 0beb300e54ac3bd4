/**
 * Freshness per data class, declared in one place. The cache knows nothing of the product's
 * domains: a caller names the class its data belongs to, never a TTL of its own.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export type CachePolicy = {
  /** How long a value is served as fresh. */
  ttlMs: number;
  /** How long a not-found answer (the loader returned `null`) is remembered. */
  negativeTtlMs: number;
  /**
   * After `ttlMs`, how long L2 may still serve the old value while one instance refreshes it
   * (stale-while-revalidate). Never applies to an invalidated value, only to an expired one.
   */
  staleWhileRevalidateMs: number;
};

/** The data classes and their defaults. Add a class here, never a TTL at a call site. */
export const DEFAULT_CACHE_POLICIES = {
  /** Profiles, plan tier, memberships, API key lookups: change with user actions. */
  user: { ttlMs: 15 * MINUTE, negativeTtlMs: 30_000, staleWhileRevalidateMs: MINUTE },
  /** Prompt versions and labels. */
  prompt: { ttlMs: HOUR, negativeTtlMs: 30_000, staleWhileRevalidateMs: 5 * MINUTE },
  /** Configuration and feature flags. */
  static: { ttlMs: 24 * HOUR, negativeTtlMs: MINUTE, staleWhileRevalidateMs: HOUR },
} as const satisfies Record<string, CachePolicy>;

export type DataClass = keyof typeof DEFAULT_CACHE_POLICIES;

export type CachePolicies = Record<DataClass, CachePolicy>;

export type CachePolicyOverrides = Partial<Record<DataClass, Partial<CachePolicy>>>;

/** Defaults merged with overrides; refuses values that would make the cache misbehave. */
export function resolvePolicies(overrides: CachePolicyOverrides = {}): CachePolicies {
  const out = {} as CachePolicies;
  for (const name of Object.keys(DEFAULT_CACHE_POLICIES) as DataClass[]) {
    const policy = { ...DEFAULT_CACHE_POLICIES[name], ...overrides[name] };
    for (const [field, value] of Object.entries(policy)) {
      if (!Number.isInteger(value) || value < 0) throw new Error(`Cache policy ${name}.${field} must be a non-negative integer of milliseconds, got ${value}.`);
    }
    if (policy.ttlMs === 0) throw new Error(`Cache policy ${name}.ttlMs must be positive.`);
    out[name] = policy;
  }
  return out;
}

/** The longest any value of any class can live in L2 (fresh plus stale window). */
export function longestLifetimeMs(policies: CachePolicies): number {
  return Math.max(...Object.values(policies).map((p) => Math.max(p.ttlMs + p.staleWhileRevalidateMs, p.negativeTtlMs)));
}
