import functionsTest from "firebase-functions-test";
import { identityCacheKeys } from "../../src/identity/identity-cache-keys";
import { CACHE_INVALIDATION_RULES } from "../../src/app/cache-invalidation";
import { invalidationTriggers } from "../helpers/triggers";
import { createPlanResolver } from "../../src/identity/plan";
import { twoInstances, withinBound } from "../cache/two-instances";
import { testDb, uniqueUid } from "../helpers/firestore";

const testEnv = functionsTest({ projectId: process.env.GCLOUD_PROJECT });
const triggers = invalidationTriggers(testEnv);
const { makeDocumentSnapshot } = testEnv.firestore;

describe("plan tier of the rate limiter through the cache", () => {
  const { a, b, cleanup } = twoInstances();
  afterAll(async () => {
    await cleanup();
    testEnv.cleanup();
  });

  it("a plan change reaches the limiter within the staleness bound, not after a minute", async () => {
    const uid = uniqueUid("plan");
    const ref = testDb().doc(`users/${uid}`);
    await ref.set({ plan: "pro", email: "someone@example.com" });
    const resolveTier = createPlanResolver({ db: testDb(), cache: a });
    expect(await resolveTier({ kind: "user", id: uid })).toBe("pro");
    expect(a.metrics().namespaces.users?.loads).toBe(1);

    await ref.set({ plan: "enterprise", email: "someone@example.com" });
    expect(await resolveTier({ kind: "user", id: uid })).toBe("pro");
    // The trigger runs in some other instance.
    triggers.runIn(b);
    const change = testEnv.makeChange(makeDocumentSnapshot({ plan: "pro" }, ref.path), makeDocumentSnapshot({ plan: "enterprise" }, ref.path));
    await triggers.trigger(CACHE_INVALIDATION_RULES.user)({ data: change, params: { uid } });

    await withinBound(async () => expect(await resolveTier({ kind: "user", id: uid })).toBe("enterprise"));
  });

  it("keeps only the plan of a user document in the cache", async () => {
    const uid = uniqueUid("plan");
    await testDb().doc(`users/${uid}`).set({ plan: "gold", email: "someone@example.com" });
    const resolveTier = createPlanResolver({ db: testDb(), cache: a });
    expect(await resolveTier({ kind: "user", id: uid })).toBe("free");
    const cached = await a.getOrLoad(identityCacheKeys.user(uid), () => Promise.reject(new Error("not cached")), "user");
    expect(cached).toEqual({ plan: "free" });
    expect(await resolveTier({ kind: "user", id: uniqueUid("nobody") })).toBe("free");
  });
});
