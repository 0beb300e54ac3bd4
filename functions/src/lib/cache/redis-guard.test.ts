import { manualClock } from "../clock";
import { createRedisGuard, RedisUnavailableError } from "./redis-guard";

describe("Redis guard", () => {
  it("cuts a slow call off after the timeout", async () => {
    const guard = createRedisGuard({ clock: manualClock(), timeoutMs: 20 });
    await expect(guard.call(() => new Promise(() => {}))).rejects.toThrow(/timed out after 20 ms/);
  });

  it("skips Redis for a cool-down after a failure, doubling it each time, and recovers on success", async () => {
    const clock = manualClock();
    const guard = createRedisGuard({ clock, cooldownMs: 100, maxCooldownMs: 150 });
    const down = () => Promise.reject(new Error("ECONNREFUSED"));
    await expect(guard.call(down)).rejects.toThrow("ECONNREFUSED");
    await expect(guard.call(async () => "ok")).rejects.toThrow(RedisUnavailableError);
    clock.advance(100);
    await expect(guard.call(down)).rejects.toThrow("ECONNREFUSED");
    clock.advance(100);
    expect(guard.available()).toBe(false);
    clock.advance(50);
    await expect(guard.call(async () => "ok")).resolves.toBe("ok");
    expect(guard.state()).toEqual({ open: false, consecutiveFailures: 0 });
  });

  it("lets a call that must be tried go through an open breaker", async () => {
    const guard = createRedisGuard({ clock: manualClock() });
    await guard.call(() => Promise.reject(new Error("down"))).catch(() => {});
    await expect(guard.call(async () => "pushed", { ignoreBreaker: true })).resolves.toBe("pushed");
  });
});
