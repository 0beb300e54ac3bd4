import functionsTest from "firebase-functions-test";
import { cache, cacheKeys, overrideCache } from "../../src/app/cache";
import { invalidateMemberCache, invalidateUserCache, invalidateWorkspaceCache } from "../../src/app/cache-invalidation";
import { createTwoLevelCache } from "../../src/lib/cache";
import { systemClock } from "../../src/lib/clock";
import { cacheCluster, countingSource, quietLogger, testRedis } from "./cache-stack";

const testEnv = functionsTest({ projectId: process.env.GCLOUD_PROJECT });
const { makeDocumentSnapshot } = testEnv.firestore;

describe("cache invalidation triggers (onDocumentWritten through wrap())", () => {
  const cluster = cacheCluster({ clock: systemClock, stalenessBoundMs: 50 });
  afterEach(() => overrideCache(undefined));
  afterAll(async () => {
    await cluster.cleanup();
    testEnv.cleanup();
  });

  /** A write as Firestore reports it; `null` is a document that does not exist on that side. */
  const write = (path: string, before: object | null, after: object | null) => testEnv.makeChange(makeDocumentSnapshot(before ?? {}, path), makeDocumentSnapshot(after ?? {}, path));

  it("a user document write from any path invalidates that user's cached profile in every instance", async () => {
    const reader = cluster.instance();
    overrideCache(cluster.instance());
    const source = countingSource({ u1: { plan: "free" } });
    await reader.getOrLoad(cacheKeys.user("u1"), source.load("u1"), "user");
    source.set("u1", { plan: "pro" });

    await testEnv.wrap(invalidateUserCache)({ data: write("users/u1", { plan: "free" }, { plan: "pro" }), params: { uid: "u1" } });

    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await reader.getOrLoad(cacheKeys.user("u1"), source.load("u1"), "user")).toEqual({ plan: "pro" });
    expect(await cluster.instance().getOrLoad(cacheKeys.user("u1"), source.load("u1"), "user")).toEqual({ plan: "pro" });
    expect(source.calls).toEqual(["u1", "u1"]);
  });

  it("a deleted workspace takes its cached memberships with it; a member write only its own entry", async () => {
    const reader = cluster.instance();
    overrideCache(cluster.instance());
    const source = countingSource<string>({ ws: "workspace", a: "admin", b: "viewer" });
    const load = () =>
      Promise.all([
        reader.getOrLoad(cacheKeys.workspace("w1"), source.load("ws"), "user"),
        reader.getOrLoad(cacheKeys.member("w1", "a"), source.load("a"), "user"),
        reader.getOrLoad(cacheKeys.member("w1", "b"), source.load("b"), "user"),
      ]);
    await load();

    await testEnv.wrap(invalidateMemberCache)({ data: write("workspaces/w1/members/a", { role: "admin" }, { role: "editor" }), params: { workspaceId: "w1", uid: "a" } });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await load();
    expect(source.calls.sort()).toEqual(["a", "a", "b", "ws"]);

    await testEnv.wrap(invalidateWorkspaceCache)({ data: write("workspaces/w1", { name: "W" }, null), params: { workspaceId: "w1" } });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await load();
    expect(source.calls.sort()).toEqual(["a", "a", "a", "b", "b", "ws", "ws"]);
  });

  it("fails the event (so the platform retries) while Redis does not take the invalidation", async () => {
    overrideCache(createTwoLevelCache({ redis: testRedis("http://127.0.0.1:9"), clock: systemClock, logger: quietLogger }));
    const trigger = testEnv.wrap(invalidateUserCache);
    await expect(trigger({ data: write("users/u2", { a: 1 }, { a: 2 }), params: { uid: "u2" } })).rejects.toThrow(/did not reach Redis/);
    // An event older than anything cached could be is acknowledged instead of retried forever.
    const old = new Date(Date.now() - 26 * 3600_000).toISOString();
    await expect(trigger({ data: write("users/u2", { a: 1 }, { a: 2 }), params: { uid: "u2" }, time: old })).resolves.toBeUndefined();
  });

  it("builds the instance's cache lazily from the configured Redis", () => {
    expect(cache()).toBe(cache());
  });
});
