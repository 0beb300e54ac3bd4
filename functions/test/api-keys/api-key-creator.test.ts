import functionsTest from "firebase-functions-test";
import { createApiKeyService } from "../../src/api-keys/api-key-service";
import { CACHE_INVALIDATION_RULES } from "../../src/app/cache-invalidation";
import { createAccessControl } from "../../src/identity/access-control";
import { manualClock } from "../../src/lib/clock";
import { createPromptService } from "../../src/prompts/prompt-service";
import { createWorkspaceService } from "../../src/workspaces/workspace-service";
import { twoInstances, withinBound } from "../cache/two-instances";
import { freshWorkspace, uniqueUid, userPrincipal } from "../helpers/firestore";
import { withRawContent } from "../helpers/prompt-content";
import { invalidationTriggers } from "../helpers/triggers";

const testEnv = functionsTest({ projectId: process.env.GCLOUD_PROJECT });
const triggers = invalidationTriggers(testEnv);

const prompt = { name: "Key prompt", template: "Hello {{ name }}.", variables: [{ name: "name", type: "string" as const }], model: "local-echo" };

// A key acts for the member who created it: it is refused as soon as that member may no longer
// do what it asks, on this instance at once and on another within the cache's staleness bound.
describe("API keys follow their creator's current role", () => {
  const { a, b, cluster, cleanup } = twoInstances();
  afterAll(async () => {
    await cleanup();
    testEnv.cleanup();
  });

  async function setup() {
    const ws = await freshWorkspace("key-creator", a);
    const clock = manualClock(Date.now());
    const creatorUid = uniqueUid("creator");
    await ws.addMember(creatorUid, "admin");
    const apiKeys = createApiKeyService({ db: ws.db, clock, access: ws.access, cache: a });
    const { secret } = await apiKeys.create(userPrincipal(creatorUid), { workspaceId: ws.workspaceId, name: "ci", scopes: ["prompts:read", "prompts:write"] });
    const key = await apiKeys.authenticate(secret);
    const accessB = createAccessControl({ db: ws.db, cache: b });
    const here = withRawContent(createPromptService({ db: ws.db, clock, access: ws.access, cache: a }));
    const elsewhere = withRawContent(createPromptService({ db: ws.db, clock, access: accessB, cache: b }));
    const workspacesB = createWorkspaceService({ db: ws.db, clock, access: accessB, cache: b });
    const write = (service: typeof here) => service.createPrompt(key, ws.workspaceId, prompt);
    const read = (service: typeof here) => service.listPrompts(key, ws.workspaceId);
    // Both instances have the creator's role cached before anything changes.
    await write(here);
    await write(elsewhere);
    return { ...ws, key, creatorUid, here, elsewhere, workspacesB, write, read };
  }

  it("a removed creator's key is refused for reads and writes, at once here and within the bound elsewhere", async () => {
    const { workspaces, workspacesB, owner, workspaceId, creatorUid, key, here, elsewhere, write, read } = await setup();

    await workspaces.removeMember(owner, workspaceId, creatorUid);

    await expect(write(here)).rejects.toMatchObject({ code: "permission-denied", details: { reason: "key_creator_not_member" } });
    await expect(read(here)).rejects.toMatchObject({ code: "permission-denied" });
    await expect(workspaces.describeForKey(key)).rejects.toMatchObject({ code: "permission-denied" });
    await withinBound(() => expect(write(elsewhere)).rejects.toMatchObject({ code: "permission-denied" }));
    await expect(read(elsewhere)).rejects.toMatchObject({ code: "permission-denied" });
    await expect(workspacesB.describeForKey(key)).rejects.toMatchObject({ code: "permission-denied" });
  });

  it("a creator demoted to viewer leaves the key read-only; promoted again, the key writes again", async () => {
    const { workspaces, owner, workspaceId, creatorUid, here, elsewhere, write, read } = await setup();

    await workspaces.setMember(owner, { workspaceId, uid: creatorUid, role: "viewer" });

    await expect(write(here)).rejects.toMatchObject({ code: "permission-denied", details: { reason: "key_creator_role", role: "viewer" } });
    await expect(read(here)).resolves.toMatchObject({ items: expect.any(Array) });
    await withinBound(() => expect(write(elsewhere)).rejects.toMatchObject({ code: "permission-denied" }));
    await expect(read(elsewhere)).resolves.toMatchObject({ items: expect.any(Array) });

    await workspaces.setMember(owner, { workspaceId, uid: creatorUid, role: "editor" });

    await expect(write(here)).resolves.toMatchObject({ prompt: { createdBy: creatorUid } });
    await withinBound(() => expect(write(elsewhere)).resolves.toMatchObject({ prompt: { createdBy: creatorUid } }));
  });

  it("a removal by another path (console, script) reaches the key through the membership trigger", async () => {
    const { db, workspaceId, creatorUid, elsewhere, write } = await setup();
    triggers.runIn(cluster.instance());
    const path = `workspaces/${workspaceId}/members/${creatorUid}`;
    const before = testEnv.firestore.makeDocumentSnapshot((await db.doc(path).get()).data() ?? {}, path);
    await db.doc(path).delete();
    // Still cached on that instance: nothing has told the cache yet.
    await expect(write(elsewhere)).resolves.toBeDefined();

    await triggers.trigger(CACHE_INVALIDATION_RULES.member)({ data: testEnv.makeChange(before, testEnv.firestore.makeDocumentSnapshot({}, path)), params: { workspaceId, uid: creatorUid } });

    await withinBound(() => expect(write(elsewhere)).rejects.toMatchObject({ code: "permission-denied" }));
  });
});
