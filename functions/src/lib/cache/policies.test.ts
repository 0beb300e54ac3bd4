import { DEFAULT_CACHE_POLICIES, longestLifetimeMs, resolvePolicies } from "./policies";

describe("cache policies", () => {
  it("default to 15 min for user data, 1 h for prompts and 24 h for static data", () => {
    expect(DEFAULT_CACHE_POLICIES.user.ttlMs).toBe(15 * 60_000);
    expect(DEFAULT_CACHE_POLICIES.prompt.ttlMs).toBe(60 * 60_000);
    expect(DEFAULT_CACHE_POLICIES.static.ttlMs).toBe(24 * 60 * 60_000);
  });

  it("take overrides per class and field", () => {
    const policies = resolvePolicies({ user: { ttlMs: 1000 } });
    expect(policies.user).toEqual({ ...DEFAULT_CACHE_POLICIES.user, ttlMs: 1000 });
    expect(policies.prompt).toEqual(DEFAULT_CACHE_POLICIES.prompt);
  });

  it("refuse values that would break the cache", () => {
    expect(() => resolvePolicies({ user: { ttlMs: 0 } })).toThrow(/user.ttlMs/);
    expect(() => resolvePolicies({ static: { negativeTtlMs: -1 } })).toThrow(/static.negativeTtlMs/);
    expect(() => resolvePolicies({ prompt: { staleWhileRevalidateMs: 1.5 } })).toThrow(/prompt.staleWhileRevalidateMs/);
  });

  it("know the longest life of any value", () => {
    expect(longestLifetimeMs(resolvePolicies())).toBe(25 * 60 * 60_000);
  });
});
