import functionsTest from "firebase-functions-test";
import { Timestamp } from "firebase-admin/firestore";
import { createApiKeyService } from "../../src/api-keys/api-key-service";
import { CACHE_INVALIDATION_RULES } from "../../src/app/cache-invalidation";
import { invalidationTriggers } from "../helpers/triggers";
import { manualClock } from "../../src/lib/clock";
import { loadsOf, twoInstances, withinBound } from "../cache/two-instances";
import { freshWorkspace } from "../helpers/firestore";

const testEnv = functionsTest({ projectId: process.env.GCLOUD_PROJECT });
const triggers = invalidationTriggers(testEnv);
const { makeDocumentSnapshot } = testEnv.firestore;

describe("API key authentication through the cache", () => {
  const { a, b, cluster, cleanup } = twoInstances();
  afterAll(async () => {
    await cleanup();
    testEnv.cleanup();
  });

  async function setup() {
    const ws = await freshWorkspace("keys-cache", a);
    const clock = manualClock(Date.now());
    const apiKeys = createApiKeyService({ db: ws.db, clock, access: ws.access, cache: a });
    const elsewhere = createApiKeyService({ db: ws.db, clock, access: ws.access, cache: b });
    const { apiKey, secret } = await apiKeys.create(ws.owner, { workspaceId: ws.workspaceId, name: "ci", scopes: ["prompts:read"] });
    const lastUsedAt = async () => ((await ws.db.doc(`apiKeys/${apiKey.keyId}`).get()).get("lastUsedAt") as Timestamp | null)?.toMillis() ?? null;
    return { ...ws, clock, apiKeys, elsewhere, keyId: apiKey.keyId, secret, lastUsedAt };
  }

  it("a revoked key is refused at once by the revoking instance and within the bound by another", async () => {
    const { apiKeys, elsewhere, owner, workspaceId, keyId, secret } = await setup();
    await apiKeys.authenticate(secret);
    await elsewhere.authenticate(secret);

    await apiKeys.revoke(owner, workspaceId, keyId);

    await expect(apiKeys.authenticate(secret)).rejects.toMatchObject({ code: "unauthenticated" });
    const took = await withinBound(() => expect(elsewhere.authenticate(secret)).rejects.toMatchObject({ code: "unauthenticated" }));
    expect(took).toBeLessThanOrEqual(350);
  });

  it("reads the stored record once, and writes lastUsedAt at most once a minute though the cached copy lags", async () => {
    const { apiKeys, clock, secret, lastUsedAt } = await setup();
    const before = loadsOf(a, "api-keys");
    const t0 = clock.now();

    await apiKeys.authenticate(secret);
    expect(await lastUsedAt()).toBe(t0);
    clock.advance(30_000);
    await apiKeys.authenticate(secret);
    expect(await lastUsedAt()).toBe(t0);
    clock.advance(31_000);
    await apiKeys.authenticate(secret);
    expect(await lastUsedAt()).toBe(t0 + 61_000);
    // The cached record still says "never used"; the instance remembers its own write.
    clock.advance(10_000);
    await apiKeys.authenticate(secret);
    expect(await lastUsedAt()).toBe(t0 + 61_000);

    expect(loadsOf(a, "api-keys") - before).toBe(1);
  });

  const change = (path: string, before: object, after: object) => testEnv.makeChange(makeDocumentSnapshot(before, path), makeDocumentSnapshot(after, path));

  it("a key revoked by another path (console, script) is refused within the bound, through the trigger", async () => {
    const { db, elsewhere, keyId, secret } = await setup();
    triggers.runIn(cluster.instance());
    await elsewhere.authenticate(secret);
    const ref = db.doc(`apiKeys/${keyId}`);
    const before = (await ref.get()).data() ?? {};
    await ref.update({ revokedAt: Timestamp.now() });
    // Still cached: nothing has told the cache yet.
    await expect(elsewhere.authenticate(secret)).resolves.toMatchObject({ keyId });

    await triggers.trigger(CACHE_INVALIDATION_RULES.apiKey)({ data: change(`apiKeys/${keyId}`, before, (await ref.get()).data() ?? {}), params: { keyId } });

    await withinBound(() => expect(elsewhere.authenticate(secret)).rejects.toMatchObject({ code: "unauthenticated" }));
  });

  it("the trigger ignores writes that change only lastUsedAt", async () => {
    const { db, apiKeys, keyId, secret } = await setup();
    const triggerCache = cluster.instance();
    triggers.runIn(triggerCache);
    await apiKeys.authenticate(secret);
    const stored = (await db.doc(`apiKeys/${keyId}`).get()).data() ?? {};
    const loads = loadsOf(a, "api-keys");

    await triggers.trigger(CACHE_INVALIDATION_RULES.apiKey)({ data: change(`apiKeys/${keyId}`, stored, { ...stored, lastUsedAt: Timestamp.now() }), params: { keyId } });
    await new Promise((resolve) => setTimeout(resolve, 250));
    await apiKeys.authenticate(secret);

    expect(loadsOf(a, "api-keys")).toBe(loads);
    expect(triggerCache.metrics().global.invalidations).toBe(0);
  });
});
