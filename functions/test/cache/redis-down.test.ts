import { systemClock } from "../../src/lib/clock";
import { createTwoLevelCache } from "../../src/lib/cache";
import { cacheCluster, countingSource, pausableProxy, quietLogger, testRedis, upstashEnv } from "./cache-stack";

describe("two-level cache when Redis is slow or down", () => {
  it("answers from L1 and the loader when nothing listens at the Redis address, without failing or waiting", async () => {
    const source = countingSource({ u1: { plan: "pro" } });
    const cache = createTwoLevelCache({ redis: testRedis("http://127.0.0.1:9"), clock: systemClock, logger: quietLogger });
    const started = Date.now();
    for (let i = 0; i < 20; i++) expect(await cache.getOrLoad({ namespace: "users", id: "u1" }, source.load("u1"), "user")).toEqual({ plan: "pro" });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(source.calls).toEqual(["u1"]);
    expect(cache.metrics().redis.open).toBe(true);
  });

  it("keeps serving through an outage, then returns to L2 and pushes the invalidations it missed", async () => {
    const proxy = await pausableProxy(upstashEnv().url);
    const cluster = cacheCluster({ clock: systemClock, stalenessBoundMs: 100 });
    const down = createTwoLevelCache({ redis: testRedis(proxy.url, 200), clock: systemClock, scope: cluster.scope, logger: quietLogger, stalenessBoundMs: 100 });
    const healthy = cluster.instance();
    const source = countingSource({ p: { v: 1 } });
    const key = { namespace: "prompts", id: "outage" };
    try {
      await healthy.getOrLoad(key, source.load("p"), "prompt");
      expect(await down.getOrLoad(key, source.load("p"), "prompt")).toEqual({ v: 1 });
      expect(source.calls).toEqual(["p"]);

      proxy.pause();
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await down.getOrLoad(key, source.load("p"), "prompt")).toEqual({ v: 1 });
      source.set("p", { v: 2 });
      expect(await down.invalidateKey(key)).toEqual({ propagated: false });
      expect(await down.getOrLoad(key, source.load("p"), "prompt")).toEqual({ v: 2 });
      expect(down.metrics().global.invalidationFailures).toBe(1);

      proxy.resume();
      // Recovery needs no help: once the cool-down passes, the next call probes Redis again.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await down.getOrLoad(key, source.load("p"), "prompt");
      await new Promise((resolve) => setTimeout(resolve, 150));
      await down.getOrLoad(key, source.load("p"), "prompt");
      expect(down.metrics().redis).toEqual({ open: false, consecutiveFailures: 0 });
      // The missed invalidation reached Redis with the first sync after recovery.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await healthy.getOrLoad(key, source.load("p"), "prompt")).toEqual({ v: 2 });
      // And L2 is back in use both ways.
      const shared = { namespace: "prompts", id: "after-outage" };
      await healthy.getOrLoad(shared, async () => "from-healthy", "prompt");
      expect(await down.getOrLoad(shared, async () => "from-loader", "prompt")).toBe("from-healthy");
    } finally {
      await proxy.close();
      await cluster.cleanup();
    }
  });
});
