import { cacheCluster, countingSource } from "./cache-stack";

const MINUTE = 60_000;

describe("two-level cache on the real Redis: TTLs by data class (injected clock)", () => {
  const cluster = cacheCluster({ stalenessBoundMs: 24 * 60 * MINUTE });
  afterAll(() => cluster.cleanup());

  it("keeps user data fresh for 15 minutes and prompt data for an hour", async () => {
    const source = countingSource({ u: { v: 1 }, p: { v: 1 } });
    const a = cluster.instance();
    const user = { namespace: "users", id: `u-${cluster.scope}` };
    const prompt = { namespace: "prompts", id: `p-${cluster.scope}` };
    await a.getOrLoad(user, source.load("u"), "user");
    await a.getOrLoad(prompt, source.load("p"), "prompt");
    cluster.clock.advance(15 * MINUTE - 1);
    await a.getOrLoad(user, source.load("u"), "user");
    await a.getOrLoad(prompt, source.load("p"), "prompt");
    expect(source.calls).toEqual(["u", "p"]);
    cluster.clock.advance(1);
    // Expired for L1 and L2 alike; within the stale window one caller gets the old value while
    // the reload runs in the background.
    await a.getOrLoad(user, source.load("u"), "user");
    await a.idle();
    expect(source.calls).toEqual(["u", "p", "u"]);
    cluster.clock.advance(45 * MINUTE);
    await a.getOrLoad(prompt, source.load("p"), "prompt");
    await a.idle();
    expect(source.calls).toEqual(["u", "p", "u", "p"]);
  });

  it("serves an expired value while exactly one instance reloads it (stale-while-revalidate)", async () => {
    const source = countingSource({ k: { v: 1 } });
    const key = { namespace: "prompts", id: `swr-${cluster.scope}` };
    const [a, b, c] = [cluster.instance(), cluster.instance(), cluster.instance()];
    await a.getOrLoad(key, source.load("k"), "prompt");
    source.set("k", { v: 2 });
    cluster.clock.advance(60 * MINUTE + MINUTE);
    const stale = await Promise.all([b, c].map((cache) => cache.getOrLoad(key, source.load("k", 50), "prompt")));
    expect(stale).toEqual([{ v: 1 }, { v: 1 }]);
    await Promise.all([b.idle(), c.idle()]);
    expect(source.calls).toEqual(["k", "k"]);
    expect(await cluster.instance().getOrLoad(key, source.load("k"), "prompt")).toEqual({ v: 2 });
    expect(b.metrics().namespaces.prompts?.l2StaleHits).toBe(1);
  });

  it("loads again after the stale window too", async () => {
    const source = countingSource({ k: { v: 1 } });
    const key = { namespace: "flags", id: `hard-${cluster.scope}` };
    await cluster.instance().getOrLoad(key, source.load("k"), "static");
    cluster.clock.advance(25 * 60 * MINUTE);
    source.set("k", { v: 2 });
    expect(await cluster.instance().getOrLoad(key, source.load("k"), "static")).toEqual({ v: 2 });
    expect(source.calls).toEqual(["k", "k"]);
  });

  it("keeps not-found for the short negative TTL only", async () => {
    const source = countingSource<{ v: number }>({});
    const key = { namespace: "users", id: `neg-${cluster.scope}` };
    await cluster.instance().getOrLoad(key, source.load("n"), "user");
    cluster.clock.advance(29_000);
    expect(await cluster.instance().getOrLoad(key, source.load("n"), "user")).toBeNull();
    cluster.clock.advance(1_000);
    source.set("n", { v: 1 });
    expect(await cluster.instance().getOrLoad(key, source.load("n"), "user")).toEqual({ v: 1 });
    expect(source.calls).toEqual(["n", "n"]);
  });
});
