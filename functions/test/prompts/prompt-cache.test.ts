import functionsTest from "firebase-functions-test";
import { promptCacheKeys } from "../../src/prompts/prompt-cache-keys";
import { FieldValue } from "firebase-admin/firestore";
import { CACHE_INVALIDATION_RULES, handleCacheInvalidation } from "../../src/app/cache-invalidation";
import { invalidationTriggers } from "../helpers/triggers";
import { createAccessControl } from "../../src/identity/access-control";
import { manualClock } from "../../src/lib/clock";
import { createPromptService } from "../../src/prompts/prompt-service";
import type { CreatePromptBody, CreateVersionBody } from "../../src/prompts/prompt-schemas";
import { loadsOf, twoInstances, withinBound } from "../cache/two-instances";
import { freshWorkspace } from "../helpers/firestore";

const testEnv = functionsTest({ projectId: process.env.GCLOUD_PROJECT });
const triggers = invalidationTriggers(testEnv);
const { makeDocumentSnapshot } = testEnv.firestore;

const content = (template: string): CreateVersionBody => ({ template, variables: [] });
const body = (template: string): CreatePromptBody => ({ name: "Cached", ...content(template) });

describe("prompt documents and versions through the cache", () => {
  const { a, b, cluster, cleanup } = twoInstances();
  afterAll(async () => {
    await cleanup();
    testEnv.cleanup();
  });

  async function setup() {
    const ws = await freshWorkspace("prompts-cache", a);
    const clock = manualClock(Date.now());
    const prompts = createPromptService({ db: ws.db, clock, access: ws.access, cache: a });
    const elsewhere = createPromptService({ db: ws.db, clock, access: createAccessControl({ db: ws.db, cache: b }), cache: b });
    const { prompt } = await prompts.createPrompt(ws.owner, ws.workspaceId, body("one"));
    await prompts.createVersion(ws.owner, ws.workspaceId, prompt.id, content("two"));
    return { ...ws, prompts, elsewhere, promptId: prompt.id };
  }

  it("reads a version once, then from the cache", async () => {
    const { prompts, owner, workspaceId, promptId } = await setup();
    const before = loadsOf(a, "prompt-versions");
    for (let i = 0; i < 3; i++) expect((await prompts.getVersion(owner, workspaceId, promptId, { version: 1 })).template).toBe("one");
    expect(loadsOf(a, "prompt-versions") - before).toBe(1);
  });

  it("a label move is visible at once through the service that made it, and within the bound elsewhere", async () => {
    const { prompts, elsewhere, owner, workspaceId, promptId } = await setup();
    await prompts.setLabel(owner, workspaceId, promptId, "production", 1);
    expect((await prompts.getVersion(owner, workspaceId, promptId, { label: "production" })).version).toBe(1);
    expect((await elsewhere.resolveVersion(owner, workspaceId, promptId, { label: "production" })).version).toBe(1);

    await prompts.setLabel(owner, workspaceId, promptId, "production", 2);

    expect((await prompts.getVersion(owner, workspaceId, promptId, { label: "production" })).version).toBe(2);
    await withinBound(async () => expect((await elsewhere.resolveVersion(owner, workspaceId, promptId, { label: "production" })).version).toBe(2));

    await prompts.deleteLabel(owner, workspaceId, promptId, "production");
    await expect(prompts.getVersion(owner, workspaceId, promptId, { label: "production" })).rejects.toMatchObject({ code: "not-found" });
  });

  it("new versions, metadata and archiving are visible at once to the writer", async () => {
    const { prompts, owner, workspaceId, promptId } = await setup();
    expect((await prompts.getVersion(owner, workspaceId, promptId)).version).toBe(2);
    await prompts.createVersion(owner, workspaceId, promptId, content("three"));
    expect((await prompts.getVersion(owner, workspaceId, promptId)).template).toBe("three");

    await prompts.updatePromptMetadata(owner, workspaceId, promptId, { name: "Renamed" });
    expect((await prompts.getPrompt(owner, workspaceId, promptId)).name).toBe("Renamed");

    await prompts.archivePrompt(owner, workspaceId, promptId);
    await expect(prompts.resolveVersion(owner, workspaceId, promptId)).rejects.toMatchObject({ code: "failed-precondition" });
    await prompts.unarchivePrompt(owner, workspaceId, promptId);
    expect((await prompts.resolveVersion(owner, workspaceId, promptId)).version).toBe(3);
  });

  it("a hard delete drops the prompt and its cached versions", async () => {
    const { prompts, owner, workspaceId, promptId } = await setup();
    await prompts.getVersion(owner, workspaceId, promptId, { version: 1 });
    await prompts.archivePrompt(owner, workspaceId, promptId);

    await prompts.deletePrompt(owner, workspaceId, promptId);

    await expect(prompts.getPrompt(owner, workspaceId, promptId)).rejects.toMatchObject({ code: "not-found" });
    const loader = jest.fn(async () => null);
    expect(await a.getOrLoad(promptCacheKeys.promptVersion(workspaceId, promptId, 1), loader, "prompt")).toBeNull();
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it("a prompt document written directly with the Admin SDK is invalidated by its trigger", async () => {
    const { db, elsewhere, owner, workspaceId, promptId } = await setup();
    triggers.runIn(cluster.instance());
    const ref = db.doc(`workspaces/${workspaceId}/prompts/${promptId}`);
    await ref.update({ labels: { production: 1 } });
    expect((await elsewhere.resolveVersion(owner, workspaceId, promptId, { label: "production" })).version).toBe(1);
    const before = (await ref.get()).data() ?? {};

    await ref.update({ "labels.production": 2, updatedAt: FieldValue.serverTimestamp() });
    // Cached: the direct write went round the service.
    expect((await elsewhere.resolveVersion(owner, workspaceId, promptId, { label: "production" })).version).toBe(1);
    const path = ref.path;
    await triggers.trigger(CACHE_INVALIDATION_RULES.prompt)({ data: testEnv.makeChange(makeDocumentSnapshot(before, path), makeDocumentSnapshot((await ref.get()).data() ?? {}, path)), params: { workspaceId, promptId } });

    await withinBound(async () => expect((await elsewhere.resolveVersion(owner, workspaceId, promptId, { label: "production" })).version).toBe(2));
  });

  it("a version written directly is picked up after a not-found answer, through the versions rule", async () => {
    const { db, prompts, owner, workspaceId, promptId } = await setup();
    const versions = db.collection(`workspaces/${workspaceId}/prompts/${promptId}/versions`);
    const two = (await versions.doc("00000002").get()).data() ?? {};
    // A script raises latestVersion before writing the version: readers meanwhile remember "missing".
    await db.doc(`workspaces/${workspaceId}/prompts/${promptId}`).update({ latestVersion: 3 });
    await handleCacheInvalidation(CACHE_INVALIDATION_RULES.prompt, { params: { workspaceId, promptId }, before: { latestVersion: 2 }, after: { latestVersion: 3 } }, { cache: a });
    await expect(prompts.getVersion(owner, workspaceId, promptId, { version: 3 })).rejects.toMatchObject({ code: "not-found" });

    await versions.doc("00000003").set({ ...two, version: 3, template: "three" });
    await handleCacheInvalidation(CACHE_INVALIDATION_RULES.promptVersion, { params: { workspaceId, promptId, versionId: "00000003" }, before: null, after: { version: 3 } }, { cache: a });

    expect((await prompts.getVersion(owner, workspaceId, promptId, { version: 3 })).template).toBe("three");
  });
});
