import { rateLimitHeaders } from "./headers";
import type { Decision } from "./types";

const at = 1_700_000_000_000;
const windows = [
  { limit: 10, windowMs: 60_000, remaining: 4, resetAt: at + 30_000 },
  { limit: 100, windowMs: 3_600_000, remaining: 50, resetAt: at + 1_800_000 },
];

describe("rateLimitHeaders", () => {
  it("describes the binding window on success, and every window in RateLimit-Policy", () => {
    const decision: Decision = { allowed: true, policy: "read", windows, retryAfterMs: 0, source: "redis", at };
    expect(rateLimitHeaders(decision)).toEqual({
      "X-RateLimit-Limit": "10",
      "X-RateLimit-Remaining": "4",
      "X-RateLimit-Reset": String((at + 30_000) / 1000),
      "RateLimit-Policy": '"1m";q=10;w=60, "1h";q=100;w=3600',
      RateLimit: '"1m";r=4;t=30',
    });
  });

  it("adds Retry-After and reports nothing remaining on a refusal", () => {
    const decision: Decision = { allowed: false, reason: "rate_limited", policy: "read", windows: [{ ...windows[0]!, remaining: 0 }, windows[1]!], retryAfterMs: 2_500, source: "redis", at };
    const headers = rateLimitHeaders(decision);
    expect(headers["Retry-After"]).toBe("3");
    expect(headers["X-RateLimit-Remaining"]).toBe("0");
    expect(headers["X-RateLimit-Reset"]).toBe(String(Math.ceil((at + 2_500) / 1000)));
    expect(headers.RateLimit).toBe('"1m";r=0;t=3');
  });

  it("sends only Retry-After when no window decided", () => {
    expect(rateLimitHeaders({ allowed: false, reason: "unavailable", policy: "auth", windows: [], retryAfterMs: 1000, source: "fallback", at })).toEqual({ "Retry-After": "1" });
  });
});
