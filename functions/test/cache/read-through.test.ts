import { GeoPoint, Timestamp } from "firebase-admin/firestore";
import { cacheCluster, countingSource } from "./cache-stack";

describe("two-level cache on the real Redis: read-through", () => {
  const cluster = cacheCluster();
  afterAll(() => cluster.cleanup());

  it("loads once, then serves a second instance from L2 without calling the loader", async () => {
    const source = countingSource({ u1: { plan: "pro", name: "Ada" } });
    const a = cluster.instance();
    const b = cluster.instance();
    const key = { namespace: "users", id: "u1" };
    expect(await a.getOrLoad(key, source.load("u1"), "user")).toEqual({ plan: "pro", name: "Ada" });
    expect(await b.getOrLoad(key, source.load("u1"), "user")).toEqual({ plan: "pro", name: "Ada" });
    expect(await b.getOrLoad(key, source.load("u1"), "user")).toEqual({ plan: "pro", name: "Ada" });
    expect(source.calls).toEqual(["u1"]);
    expect(b.metrics().namespaces.users).toMatchObject({ l2Hits: 1, l1Hits: 1, loads: 0 });
  });

  it("brings Timestamps, dates and nested maps back exactly from L2", async () => {
    const value = {
      createdAt: new Timestamp(1_767_225_600, 987_654_321),
      seenAt: new Date("2026-03-04T05:06:07.089Z"),
      settings: { theme: { dark: true, accents: ["red", { $t: "not a tag" }] }, office: new GeoPoint(1.5, -2.5) },
      avatar: Buffer.from("png-bytes"),
    };
    const a = cluster.instance();
    const b = cluster.instance();
    const key = { namespace: "users", id: "typed" };
    await a.getOrLoad(key, async () => value, "user");
    const back = await b.getOrLoad<typeof value>(key, async () => null, "user");
    expect(back?.createdAt).toBeInstanceOf(Timestamp);
    expect(back?.createdAt.isEqual(value.createdAt)).toBe(true);
    expect(back?.seenAt).toBeInstanceOf(Date);
    expect(back).toEqual(value);
    expect(b.metrics().namespaces.users?.l2Hits).toBe(1);
  });

  it("remembers not-found in L2 as well", async () => {
    const source = countingSource<string>({});
    const a = cluster.instance();
    const b = cluster.instance();
    expect(await a.getOrLoad({ namespace: "users", id: "ghost" }, source.load("ghost"), "user")).toBeNull();
    expect(await b.getOrLoad({ namespace: "users", id: "ghost" }, source.load("ghost"), "user")).toBeNull();
    expect(source.calls).toEqual(["ghost"]);
    expect(b.metrics().namespaces.users?.negativeHits).toBe(1);
  });

  it("runs the loader once for 100 concurrent misses of one key spread over two instances", async () => {
    const source = countingSource({ hot: { n: 1 } });
    const a = cluster.instance();
    const b = cluster.instance();
    const key = { namespace: "prompts", id: "hot" };
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).getOrLoad(key, source.load("hot", 100), "prompt")));
    expect(results.every((r) => JSON.stringify(r) === '{"n":1}')).toBe(true);
    expect(source.calls).toEqual(["hot"]);
  });

  it("writes values back to both levels with the policy's TTL in Redis", async () => {
    const a = cluster.instance();
    await a.getOrLoad({ namespace: "flags", id: "beta" }, async () => ({ on: true }), "static");
    const ttl = await cluster.redis.pttl(`cache:${cluster.scope}:v:flags:beta`);
    expect(ttl).toBeGreaterThan(24 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(25 * 3600_000);
    expect(a.metrics().l1.entries).toBe(1);
  });
});
