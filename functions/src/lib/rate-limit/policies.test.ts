import { DEFAULT_RATE_LIMIT_CONFIG, parseRateLimitJson, resolveRateLimitConfig } from "./policies";

describe("resolveRateLimitConfig", () => {
  it("keeps the documented defaults", () => {
    const config = resolveRateLimitConfig(undefined);
    expect(config.tiers.free).toEqual([
      { limit: 10, windowMs: 60_000 },
      { limit: 100, windowMs: 3_600_000 },
    ]);
    expect(config.tiers.anonymous).toEqual([{ limit: 50, windowMs: 3_600_000 }]);
    expect(config.policies.auth?.failMode).toBe("closed");
    expect(config.failures.banLadderMs).toEqual([3_600_000, 21_600_000, 86_400_000]);
  });

  it("merges an override object by object and replaces arrays", () => {
    const config = resolveRateLimitConfig({ tiers: { pro: [{ limit: 5, windowMs: 1000 }] }, policies: { execute: { cost: 9 } }, deny: { ips: ["10.0.0.0/8"] } });
    expect(config.tiers.pro).toEqual([{ limit: 5, windowMs: 1000 }]);
    expect(config.tiers.free).toEqual(DEFAULT_RATE_LIMIT_CONFIG.tiers.free);
    expect(config.policies.execute).toMatchObject({ cost: 9, failMode: "open" });
    expect(config.deny.ips).toEqual(["10.0.0.0/8"]);
  });

  it("fails fast naming the bad field", () => {
    expect(() => resolveRateLimitConfig({ policies: { read: { failMode: "sometimes" } } })).toThrow(/policies\.read\.failMode/);
    expect(() => parseRateLimitJson("{not json")).toThrow(/RATE_LIMITS_JSON/);
  });
});
