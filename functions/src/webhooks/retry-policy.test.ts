import { backoffMs, decideAttempt, DEFAULT_RETRY_POLICY, failureReason, retryAfterMs } from "./retry-policy";

const ok = (status: number, retryAfter: string | null = null) => ({ kind: "response" as const, status, retryAfter, body: "" });
const now = Date.UTC(2026, 0, 1);

describe("webhook retry policy", () => {
  it("doubles from 1 s up to 300 s, half fixed and half jitter", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(DEFAULT_RETRY_POLICY, n, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 1, () => 0)).toBe(500);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 20, () => 1)).toBe(300_000);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 20, () => 0)).toBe(150_000);
  });

  it("names why an attempt failed", () => {
    expect(failureReason(ok(200))).toBeNull();
    expect(failureReason(ok(204))).toBeNull();
    expect(failureReason(ok(301))).toBe("redirect");
    expect(failureReason(ok(410))).toBe("gone");
    expect(failureReason(ok(429))).toBe("rate-limited");
    expect(failureReason(ok(404))).toBe("http-4xx");
    expect(failureReason(ok(503))).toBe("http-5xx");
    expect(failureReason({ kind: "error", reason: "timeout", message: "" })).toBe("timeout");
  });

  it("reads Retry-After as seconds or a date, capped at an hour", () => {
    expect(retryAfterMs("7", now)).toBe(7_000);
    expect(retryAfterMs(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(retryAfterMs("999999", now)).toBe(3_600_000);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });

  it("retries 4xx, 5xx and network errors, stops at 2xx, gives up on 410 at once", () => {
    expect(decideAttempt(DEFAULT_RETRY_POLICY, 1, ok(200), now, () => 1)).toEqual({ result: "delivered" });
    expect(decideAttempt(DEFAULT_RETRY_POLICY, 1, ok(410), now, () => 1)).toEqual({ result: "gone", reason: "gone" });
    expect(decideAttempt(DEFAULT_RETRY_POLICY, 2, ok(400), now, () => 1)).toEqual({ result: "retry", reason: "http-4xx", delayMs: 2_000 });
    expect(decideAttempt(DEFAULT_RETRY_POLICY, 1, { kind: "error", reason: "connection", message: "" }, now, () => 1)).toEqual({ result: "retry", reason: "connection", delayMs: 1_000 });
    expect(decideAttempt(DEFAULT_RETRY_POLICY, 8, ok(500), now, () => 1)).toEqual({ result: "exhausted", reason: "http-5xx" });
  });

  it("honours Retry-After on 429 and 503 only", () => {
    expect(decideAttempt(DEFAULT_RETRY_POLICY, 1, ok(429, "120"), now, () => 1)).toEqual({ result: "retry", reason: "rate-limited", delayMs: 120_000 });
    expect(decideAttempt(DEFAULT_RETRY_POLICY, 1, ok(503, "5"), now, () => 1)).toEqual({ result: "retry", reason: "http-5xx", delayMs: 5_000 });
    expect(decideAttempt(DEFAULT_RETRY_POLICY, 1, ok(500, "120"), now, () => 1)).toEqual({ result: "retry", reason: "http-5xx", delayMs: 1_000 });
  });
});
