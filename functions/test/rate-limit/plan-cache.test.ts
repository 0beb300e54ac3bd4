import functionsTest from "firebase-functions-test";
import { cacheKeys, overrideCache } from "../../src/app/cache";
import { invalidateUserCache } from "../../src/app/cache-invalidation";
import { createPlanTierResolver, loadPlan } from "../../src/app/rate-limit";
import { twoInstances, withinBound } from "../cache/two-instances";
import { testDb, uniqueUid } from "../helpers/firestore";

const testEnv = functionsTest({ projectId: process.env.GCLOUD_PROJECT });
const { makeDocumentSnapshot } = testEnv.firestore;

describe("plan tier of the rate limiter through the cache", () => {
  const { a, b, cleanup } = twoInstances();
  afterEach(() => overrideCache(undefined));
  afterAll(async () => {
    await cleanup();
    testEnv.cleanup();
  });

  it("a plan change reaches the limiter within the staleness bound, not after a minute", async () => {
    const uid = uniqueUid("plan");
    const ref = testDb().doc(`users/${uid}`);
    await ref.set({ plan: "pro", email: "someone@example.com" });
    overrideCache(a);
    const resolveTier = createPlanTierResolver({ loadPlan });
    expect(await resolveTier({ kind: "user", id: uid })).toBe("pro");
    expect(a.metrics().namespaces.users?.loads).toBe(1);

    await ref.set({ plan: "enterprise", email: "someone@example.com" });
    expect(await resolveTier({ kind: "user", id: uid })).toBe("pro");
    // The trigger runs in some other instance.
    overrideCache(b);
    const change = testEnv.makeChange(makeDocumentSnapshot({ plan: "pro" }, ref.path), makeDocumentSnapshot({ plan: "enterprise" }, ref.path));
    await testEnv.wrap(invalidateUserCache)({ data: change, params: { uid } });
    overrideCache(a);

    await withinBound(async () => expect(await resolveTier({ kind: "user", id: uid })).toBe("enterprise"));
  });

  it("keeps only the plan of a user document in the cache", async () => {
    const uid = uniqueUid("plan");
    await testDb().doc(`users/${uid}`).set({ plan: "gold", email: "someone@example.com" });
    overrideCache(a);
    expect(await loadPlan({ kind: "user", id: uid })).toBe("free");
    const cached = await a.getOrLoad(cacheKeys.user(uid), () => Promise.reject(new Error("not cached")), "user");
    expect(cached).toEqual({ plan: "free" });
    expect(await loadPlan({ kind: "user", id: uniqueUid("nobody") })).toBeUndefined();
  });
});
