import { systemClock } from "../../src/lib/clock";
import { cacheCluster, countingSource } from "./cache-stack";

describe("two-level cache on the real Redis: invalidation", () => {
  const cluster = cacheCluster({ stalenessBoundMs: 1000 });
  afterAll(() => cluster.cleanup());

  it("by key: every instance and L2 drop the value", async () => {
    const source = countingSource({ u1: { plan: "free" } });
    const [a, b] = [cluster.instance(), cluster.instance()];
    const key = { namespace: "users", id: "k-u1" };
    await a.getOrLoad(key, source.load("u1"), "user");
    source.set("u1", { plan: "pro" });
    expect(await b.invalidateKey(key)).toEqual({ propagated: true });
    expect(await cluster.instance().getOrLoad(key, source.load("u1"), "user")).toEqual({ plan: "pro" });
    cluster.clock.advance(1001);
    expect(await a.getOrLoad(key, source.load("u1"), "user")).toEqual({ plan: "pro" });
    expect(source.calls).toEqual(["u1", "u1"]);
  });

  it("by tag: everything carrying the tag goes, nothing else", async () => {
    const source = countingSource({ m1: 1, m2: 2, other: 3 });
    const a = cluster.instance();
    const keys = {
      m1: { namespace: "members", id: "w1:m1", tags: ["workspace:w1"] },
      m2: { namespace: "members", id: "w1:m2", tags: ["workspace:w1", "user:m2"] },
      other: { namespace: "members", id: "w2:m1", tags: ["workspace:w2"] },
    };
    for (const [name, key] of Object.entries(keys)) await a.getOrLoad(key, source.load(name), "user");
    await cluster.instance().invalidateTag("workspace:w1");
    cluster.clock.advance(1001);
    const fresh = cluster.instance();
    for (const [name, key] of Object.entries(keys)) {
      await a.getOrLoad(key, source.load(name), "user");
      await fresh.getOrLoad(key, source.load(name), "user");
    }
    expect(source.calls.sort()).toEqual(["m1", "m1", "m2", "m2", "other"]);
  });

  it("by namespace: one bump makes all its keys stale, other namespaces untouched", async () => {
    const source = countingSource<number>(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, i])));
    const a = cluster.instance();
    for (let i = 0; i < 50; i++) await a.getOrLoad({ namespace: "flags", id: `f${i}` }, source.load(`f${i}`), "static");
    await a.getOrLoad({ namespace: "prompts", id: "keep" }, async () => "kept", "prompt");
    const keysInScope = async () => (await cluster.redis.keys(`cache:${cluster.scope}:*`)).length;
    const before = await keysInScope();
    await cluster.instance().invalidateNamespace("flags");
    // O(1): the namespace version (and the log) change, none of the 50 values is touched.
    expect((await keysInScope()) - before).toBeLessThanOrEqual(1);
    const b = cluster.instance();
    for (let i = 0; i < 50; i++) await b.getOrLoad({ namespace: "flags", id: `f${i}` }, source.load(`f${i}`), "static");
    expect(source.calls).toHaveLength(100);
    expect(await b.getOrLoad({ namespace: "prompts", id: "keep" }, async () => "reloaded", "prompt")).toBe("kept");
  });

  it("a value loaded while an invalidation lands is not kept as fresh", async () => {
    const source = countingSource({ r: { v: 1 } });
    const [a, b] = [cluster.instance(), cluster.instance()];
    const key = { namespace: "users", id: "race" };
    // The loader reads the old row, then takes its time (a slow Firestore answer).
    const slowRead = a.getOrLoad(key, async () => {
      const row = await source.load("r")();
      await new Promise((resolve) => setTimeout(resolve, 150));
      return row;
    }, "user");
    await new Promise((resolve) => setTimeout(resolve, 50));
    source.set("r", { v: 2 });
    await b.invalidateKey(key);
    expect(await slowRead).toEqual({ v: 1 });
    cluster.clock.advance(1001);
    expect(await a.getOrLoad(key, source.load("r"), "user")).toEqual({ v: 2 });
    expect(await cluster.instance().getOrLoad(key, source.load("r"), "user")).toEqual({ v: 2 });
  });

  it("another instance's L1 serves the old value for at most the staleness bound (manual clock)", async () => {
    const source = countingSource({ s: { v: 1 } });
    const [a, b] = [cluster.instance(), cluster.instance()];
    const key = { namespace: "users", id: "bound" };
    await a.getOrLoad(key, source.load("s"), "user");
    source.set("s", { v: 2 });
    await b.invalidateKey(key);
    cluster.clock.advance(1000);
    expect(await a.getOrLoad(key, source.load("s"), "user")).toEqual({ v: 1 });
    cluster.clock.advance(1);
    expect(await a.getOrLoad(key, source.load("s"), "user")).toEqual({ v: 2 });
  });
});

describe("two-level cache on the real Redis: staleness bound in real time", () => {
  const bound = 200;
  const cluster = cacheCluster({ clock: systemClock, stalenessBoundMs: bound });
  afterAll(() => cluster.cleanup());

  it(`another instance sees an invalidation within ${bound} ms`, async () => {
    const source = countingSource({ s: { v: 1 } });
    const [a, b] = [cluster.instance(), cluster.instance()];
    const key = { namespace: "users", id: "realtime" };
    await a.getOrLoad(key, source.load("s"), "user");
    let done = false;
    let lastStale = 0;
    let invalidatedAt = 0;
    const reader = (async () => {
      while (!done) {
        const value = await a.getOrLoad(key, source.load("s"), "user");
        if (invalidatedAt && (value as { v: number }).v === 1) lastStale = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    source.set("s", { v: 2 });
    await b.invalidateKey(key);
    invalidatedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, bound * 3));
    done = true;
    await reader;
    expect(await a.getOrLoad(key, source.load("s"), "user")).toEqual({ v: 2 });
    expect(lastStale === 0 ? 0 : lastStale - invalidatedAt).toBeLessThanOrEqual(bound);
    expect(a.metrics().namespaces.users?.l1Hits).toBeGreaterThan(20);
  });
});
