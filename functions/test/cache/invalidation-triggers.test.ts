import functionsTest from "firebase-functions-test";
import { workspaceCacheKeys } from "../../src/workspaces/workspace-cache-keys";
import { identityCacheKeys } from "../../src/identity/identity-cache-keys";
import { CACHE_INVALIDATION_RULES } from "../../src/app/cache-invalidation";
import { invalidationTriggers } from "../helpers/triggers";
import { app } from "../../src/app/production";
import { createTwoLevelCache } from "../../src/lib/cache";
import { systemClock } from "../../src/lib/clock";
import { cacheCluster, countingSource, quietLogger, testRedis } from "./cache-stack";

const testEnv = functionsTest({ projectId: process.env.GCLOUD_PROJECT });
const triggers = invalidationTriggers(testEnv);
const { makeDocumentSnapshot } = testEnv.firestore;

describe("cache invalidation triggers (onDocumentWritten through wrap())", () => {
  const cluster = cacheCluster({ clock: systemClock, stalenessBoundMs: 50 });
  afterAll(async () => {
    await cluster.cleanup();
    testEnv.cleanup();
  });

  /** A write as Firestore reports it; `null` is a document that does not exist on that side. */
  const write = (path: string, before: object | null, after: object | null) => testEnv.makeChange(makeDocumentSnapshot(before ?? {}, path), makeDocumentSnapshot(after ?? {}, path));

  it("a user document write from any path invalidates that user's cached profile in every instance", async () => {
    const reader = cluster.instance();
    triggers.runIn(cluster.instance());
    const source = countingSource({ u1: { plan: "free" } });
    await reader.getOrLoad(identityCacheKeys.user("u1"), source.load("u1"), "user");
    source.set("u1", { plan: "pro" });

    await triggers.trigger(CACHE_INVALIDATION_RULES.user)({ data: write("users/u1", { plan: "free" }, { plan: "pro" }), params: { uid: "u1" } });

    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await reader.getOrLoad(identityCacheKeys.user("u1"), source.load("u1"), "user")).toEqual({ plan: "pro" });
    expect(await cluster.instance().getOrLoad(identityCacheKeys.user("u1"), source.load("u1"), "user")).toEqual({ plan: "pro" });
    expect(source.calls).toEqual(["u1", "u1"]);
  });

  it("a deleted workspace takes its cached memberships with it; a member write only its own entry", async () => {
    const reader = cluster.instance();
    triggers.runIn(cluster.instance());
    const source = countingSource<string>({ ws: "workspace", a: "admin", b: "viewer" });
    const load = () =>
      Promise.all([
        reader.getOrLoad(workspaceCacheKeys.workspace("w1"), source.load("ws"), "user"),
        reader.getOrLoad(identityCacheKeys.member("w1", "a"), source.load("a"), "user"),
        reader.getOrLoad(identityCacheKeys.member("w1", "b"), source.load("b"), "user"),
      ]);
    await load();

    await triggers.trigger(CACHE_INVALIDATION_RULES.member)({ data: write("workspaces/w1/members/a", { role: "admin" }, { role: "editor" }), params: { workspaceId: "w1", uid: "a" } });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await load();
    expect(source.calls.sort()).toEqual(["a", "a", "b", "ws"]);

    await triggers.trigger(CACHE_INVALIDATION_RULES.workspace)({ data: write("workspaces/w1", { name: "W" }, null), params: { workspaceId: "w1" } });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await load();
    expect(source.calls.sort()).toEqual(["a", "a", "a", "b", "b", "ws", "ws"]);
  });

  it("fails the event (so the platform retries) while Redis does not take the invalidation", async () => {
    triggers.runIn(createTwoLevelCache({ redis: testRedis("http://127.0.0.1:9"), clock: systemClock, logger: quietLogger }));
    const trigger = triggers.trigger(CACHE_INVALIDATION_RULES.user);
    await expect(trigger({ data: write("users/u2", { a: 1 }, { a: 2 }), params: { uid: "u2" } })).rejects.toThrow(/did not reach Redis/);
    // An event older than anything cached could be is acknowledged instead of retried forever.
    const old = new Date(Date.now() - 26 * 3600_000).toISOString();
    await expect(trigger({ data: write("users/u2", { a: 1 }, { a: 2 }), params: { uid: "u2" }, time: old })).resolves.toBeUndefined();
  });

  it("is served by the composition root, which builds the instance's cache once", () => {
    expect(app().cache).toBe(app().cache);
  });
});
