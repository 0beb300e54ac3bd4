import { Timestamp } from "firebase-admin/firestore";
import { manualClock } from "../clock";
import type { CacheRedis } from "./l2-store";
import { createTwoLevelCache, type TwoLevelCacheOptions } from "./two-level-cache";

const quiet = { warn: () => {} };
const key = (id: string, tags?: string[]) => ({ namespace: "users", id, ...(tags ? { tags } : {}) });

function setup(options: Partial<TwoLevelCacheOptions> = {}) {
  const clock = manualClock();
  const cache = createTwoLevelCache({ redis: null, clock, logger: quiet, ...options });
  const calls: string[] = [];
  const loader = (id: string, value: unknown = { id, plan: "pro" }) => async () => {
    calls.push(id);
    return value;
  };
  return { clock, cache, calls, loader };
}

/** Every command hangs (a Redis that stopped answering) or fails at once (one that is gone). */
function brokenRedis(mode: "hang" | "refuse"): CacheRedis & { calls: number } {
  const fake = {
    calls: 0,
    run(): Promise<never> {
      fake.calls += 1;
      return mode === "hang" ? new Promise<never>(() => {}) : Promise.reject(new Error("connect ECONNREFUSED"));
    },
  };
  return Object.assign(fake, {
    mget: () => fake.run(),
    set: () => fake.run(),
    del: () => fake.run(),
    eval: () => fake.run(),
  }) as unknown as CacheRedis & { calls: number };
}

describe("two-level cache without Redis", () => {
  it("loads once, then serves from L1", async () => {
    const { cache, calls, loader } = setup();
    expect(await cache.getOrLoad(key("u1"), loader("u1"), "user")).toEqual({ id: "u1", plan: "pro" });
    expect(await cache.getOrLoad(key("u1"), loader("u1"), "user")).toEqual({ id: "u1", plan: "pro" });
    expect(calls).toEqual(["u1"]);
    expect(cache.metrics().namespaces.users).toMatchObject({ l1Hits: 1, l1Misses: 1, loads: 1 });
  });

  it("runs the loader once for 100 concurrent misses of one key", async () => {
    const { cache } = setup();
    let calls = 0;
    const slow = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { n: 1 };
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => cache.getOrLoad(key("hot"), slow, "user")));
    expect(calls).toBe(1);
    expect(results.every((r) => r === results[0])).toBe(true);
  });

  it("shares a loader failure with every waiter and caches nothing", async () => {
    const { cache, calls, loader } = setup();
    const failing = async () => {
      throw new Error("firestore down");
    };
    await expect(Promise.all([cache.getOrLoad(key("u1"), failing, "user"), cache.getOrLoad(key("u1"), failing, "user")])).rejects.toThrow("firestore down");
    await cache.getOrLoad(key("u1"), loader("u1"), "user");
    expect(calls).toEqual(["u1"]);
    expect(cache.metrics().namespaces.users?.loadErrors).toBe(1);
  });

  it("remembers not-found for the negative TTL only", async () => {
    const { cache, clock } = setup({ stalenessBoundMs: 60_000 });
    let calls = 0;
    const missing = async () => {
      calls += 1;
      return null;
    };
    expect(await cache.getOrLoad(key("ghost"), missing, "user")).toBeNull();
    clock.advance(29_000);
    expect(await cache.getOrLoad(key("ghost"), missing, "user")).toBeNull();
    expect(calls).toBe(1);
    clock.advance(1_000);
    await cache.getOrLoad(key("ghost"), missing, "user");
    expect(calls).toBe(2);
    expect(cache.metrics().namespaces.users?.negativeHits).toBe(1);
  });

  it("hands out deeply frozen values that keep their types", async () => {
    const { cache } = setup();
    const value = await cache.getOrLoad(key("u1"), async () => ({ at: new Timestamp(5, 6), roles: ["a"] }), "user");
    expect(value?.at).toBeInstanceOf(Timestamp);
    expect(Object.isFrozen(value?.roles)).toBe(true);
  });

  it("returns values over the size cap without caching them", async () => {
    const { cache, calls, loader } = setup({ maxValueBytes: 100 });
    const big = { text: "x".repeat(200) };
    expect(await cache.getOrLoad(key("big"), loader("big", big), "user")).toBe(big);
    await cache.getOrLoad(key("big"), loader("big", big), "user");
    expect(calls).toEqual(["big", "big"]);
    expect(cache.metrics().namespaces.users?.notCached).toBe(2);
  });

  it("drops what an invalidation names from L1 at once", async () => {
    const { cache, calls, loader } = setup();
    await cache.getOrLoad(key("u1", ["workspace:w1"]), loader("u1"), "user");
    await cache.getOrLoad(key("u2"), loader("u2"), "user");
    await cache.getOrLoad({ namespace: "flags", id: "f" }, loader("f"), "static");
    expect(await cache.invalidateTag("workspace:w1")).toEqual({ propagated: false });
    await cache.invalidateNamespace("flags");
    await cache.getOrLoad(key("u1", ["workspace:w1"]), loader("u1"), "user");
    await cache.getOrLoad(key("u2"), loader("u2"), "user");
    await cache.getOrLoad({ namespace: "flags", id: "f" }, loader("f"), "static");
    expect(calls).toEqual(["u1", "u2", "f", "u1", "f"]);
  });

  it("serves an L1 entry no longer than the staleness bound when nothing confirms it", async () => {
    const { cache, clock, calls, loader } = setup({ stalenessBoundMs: 1000 });
    await cache.getOrLoad(key("u1"), loader("u1"), "user");
    clock.advance(1000);
    await cache.getOrLoad(key("u1"), loader("u1"), "user");
    expect(calls).toEqual(["u1"]);
    clock.advance(1);
    await cache.getOrLoad(key("u1"), loader("u1"), "user");
    expect(calls).toEqual(["u1", "u1"]);
  });

  it("refuses malformed keys before touching anything", async () => {
    const { cache, loader } = setup();
    await expect(cache.getOrLoad({ namespace: "Bad:ns", id: "1" }, loader("1"), "user")).rejects.toThrow(/namespace/);
    await expect(cache.getOrLoad({ namespace: "users", id: "" }, loader("1"), "user")).rejects.toThrow(/id/);
  });
});

describe("two-level cache with Redis down", () => {
  it.each(["hang", "refuse"] as const)("answers from the loader when Redis %s, then stops asking Redis for a while", async (mode) => {
    const redis = brokenRedis(mode);
    const { cache, calls, loader } = setup({ redis, redisTimeoutMs: 20 });
    const started = Date.now();
    expect(await cache.getOrLoad(key("u1"), loader("u1"), "user")).toEqual({ id: "u1", plan: "pro" });
    expect(await cache.getOrLoad(key("u2"), loader("u2"), "user")).toEqual({ id: "u2", plan: "pro" });
    expect(Date.now() - started).toBeLessThan(500);
    expect(calls).toEqual(["u1", "u2"]);
    const metrics = cache.metrics();
    expect(metrics.redis.open).toBe(true);
    expect(metrics.global.redisSkipped).toBeGreaterThan(0);
    expect(await cache.invalidateKey(key("u1"))).toEqual({ propagated: false });
  });
});
