import type { Principal } from "../../src/identity/principal";
import { invokeOperation } from "../../src/api/operation";
import { promptOperations } from "../../src/prompts/prompt-operations";
import type { ApiKeyScope } from "../../src/identity/permissions";
import { manualClock } from "../../src/lib/clock";
import { DataIntegrityError } from "../../src/lib/errors";
import { promptPath, versionPath } from "../../src/prompts/prompt-records";
import { createPromptService } from "../../src/prompts/prompt-service";
import { withRawContent } from "../helpers/prompt-content";
import { type createPromptBody } from "../../src/prompts/prompt-schemas";
import type { z } from "zod";
import { twoInstances } from "../cache/two-instances";
import { freshWorkspace, uniqueUid, userPrincipal } from "../helpers/firestore";

// Every behaviour below runs with reads going through a real cache, so a write that forgot to
// invalidate what it changed shows up as a stale read here.
const { a: cache, cleanup } = twoInstances();
afterAll(cleanup);

async function setup() {
  const ws = await freshWorkspace("prompts", cache);
  const clock = manualClock(Date.now());
  const prompts = withRawContent(createPromptService({ db: ws.db, clock, access: ws.access, cache: ws.cache }));
  const apiKey = (scopes: ApiKeyScope[], workspaceId = ws.workspaceId): Principal => ({ kind: "apiKey", keyId: uniqueUid("key"), workspaceId, scopes, createdBy: ws.ownerUid });
  return { ...ws, clock, prompts, apiKey };
}

const greeting: z.input<typeof createPromptBody> = {
  name: "Greeting",
  description: "Says hello to a customer",
  tags: ["Support"],
  template: "Hello {{ name }}, welcome to {{product}}.",
  systemTemplate: "Answer in {{lang}}.",
  variables: [
    { name: "name", type: "string" },
    { name: "product", type: "string", default: "Acme" },
    { name: "lang", type: "enum", allowedValues: ["en", "fr"], default: "en" },
  ],
  model: "local-echo",
  temperature: 0.2,
  message: "first draft",
};

describe("prompt service on the real Firestore", () => {
  it("creates a prompt with version 1 and reads it back by number, label and latest", async () => {
    const { prompts, owner, workspaceId, ownerUid } = await setup();
    const { prompt, version } = await prompts.createPrompt(owner, workspaceId, greeting);

    expect(prompt).toMatchObject({ name: "Greeting", tags: ["support"], latestVersion: 1, labels: {}, archived: false, createdBy: ownerUid });
    expect(version).toMatchObject({ promptId: prompt.id, version: 1, model: "local-echo", temperature: 0.2, message: "first draft" });
    expect(await prompts.getPrompt(owner, workspaceId, prompt.id)).toEqual(prompt);
    expect(await prompts.getVersion(owner, workspaceId, prompt.id, { version: 1 })).toEqual(version);
    expect(await prompts.getVersion(owner, workspaceId, prompt.id)).toEqual(version);
    expect(version.variables[1]).toEqual({ name: "product", type: "string", required: false, default: "Acme" });
  });

  it("answers a malformed stored prompt or version with DataIntegrityError naming the fields, not a wrong value", async () => {
    const { prompts, owner, workspaceId, db } = await setup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, greeting);
    await db.doc(versionPath(workspaceId, prompt.id, 1)).update({ variables: [{ name: "name", type: "date", required: true }] });
    await db.doc(promptPath(workspaceId, prompt.id)).update({ latestVersion: "1" });

    await expect(prompts.getPrompt(owner, workspaceId, prompt.id)).rejects.toMatchObject({ name: "DataIntegrityError", code: "internal", fields: ["latestVersion"] });
    await expect(prompts.listPrompts(owner, workspaceId)).rejects.toBeInstanceOf(DataIntegrityError);
    await db.doc(promptPath(workspaceId, prompt.id)).update({ latestVersion: 1 });
    await expect(prompts.getVersion(owner, workspaceId, prompt.id, { version: 1 })).rejects.toMatchObject({
      path: versionPath(workspaceId, prompt.id, 1),
      fields: ["variables.0.type"],
    });
  });

  it("numbers 10 concurrent new versions 2..11 with no gaps or duplicates", async () => {
    const { prompts, owner, workspaceId } = await setup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, { name: "Busy", template: "v1" });

    const created = await Promise.all(Array.from({ length: 10 }, (_, i) => prompts.createVersion(owner, workspaceId, prompt.id, { template: `edit ${i}` })));

    expect(created.map((v) => v.version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect((await prompts.getPrompt(owner, workspaceId, prompt.id)).latestVersion).toBe(11);
    const listed = await prompts.listVersions(owner, workspaceId, prompt.id, { pageSize: 100 });
    expect(listed.items.map((v) => v.version)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(listed.nextCursor).toBeNull();
  });

  it("refuses a version based on a stale version number", async () => {
    const { prompts, owner, workspaceId } = await setup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, { name: "Stale", template: "v1" });
    await prompts.createVersion(owner, workspaceId, prompt.id, { template: "v2", baseVersion: 1 });

    await expect(prompts.createVersion(owner, workspaceId, prompt.id, { template: "v3", baseVersion: 1 })).rejects.toMatchObject({ code: "failed-precondition" });
  });

  it("points labels at versions, moves them back as a rollback and records who moved what", async () => {
    const { prompts, owner, workspaceId, ownerUid, clock } = await setup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, { name: "Labelled", template: "one" });
    await prompts.createVersion(owner, workspaceId, prompt.id, { template: "two" });

    expect(await prompts.setLabel(owner, workspaceId, prompt.id, "production", 1)).toEqual({ label: "production", version: 1, previousVersion: null });
    clock.advance(1000);
    await prompts.setLabel(owner, workspaceId, prompt.id, "production", 2);
    expect((await prompts.resolveVersion(owner, workspaceId, prompt.id, { label: "production" })).template).toBe("two");
    await prompts.setLabel(owner, workspaceId, prompt.id, "production", 1);
    expect((await prompts.resolveVersion(owner, workspaceId, prompt.id, { label: "production" })).template).toBe("one");
    await prompts.setLabel(owner, workspaceId, prompt.id, "staging", 2);
    await prompts.deleteLabel(owner, workspaceId, prompt.id, "staging");

    const history = await prompts.listLabelHistory(owner, workspaceId, prompt.id);
    expect(history.items.map(({ label, action, fromVersion, toVersion }) => [label, action, fromVersion, toVersion])).toEqual([
      ["staging", "deleted", 2, null],
      ["staging", "set", null, 2],
      ["production", "moved", 2, 1],
      ["production", "moved", 1, 2],
      ["production", "set", null, 1],
    ]);
    expect(history.items[0]).toMatchObject({ actorUid: ownerUid, actor: `user:${ownerUid}` });
    const production = await prompts.listLabelHistory(owner, workspaceId, prompt.id, { label: "production", pageSize: 2 });
    expect(production.items.map((e) => e.toVersion)).toEqual([1, 2]);
    const rest = await prompts.listLabelHistory(owner, workspaceId, prompt.id, { label: "production", pageSize: 2, cursor: production.nextCursor ?? "" });
    expect(rest).toMatchObject({ items: [expect.objectContaining({ action: "set", toVersion: 1 })], nextCursor: null });
    expect((await prompts.getPrompt(owner, workspaceId, prompt.id)).labels).toEqual({ production: 1 });
  });

  it("answers not-found for unknown labels and versions, and refuses a 21st label", async () => {
    const { prompts, owner, workspaceId } = await setup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, { name: "Limits", template: "x" });

    await expect(prompts.getVersion(owner, workspaceId, prompt.id, { label: "production" })).rejects.toMatchObject({ code: "not-found" });
    await expect(prompts.getVersion(owner, workspaceId, prompt.id, { version: 2 })).rejects.toMatchObject({ code: "not-found" });
    await expect(prompts.setLabel(owner, workspaceId, prompt.id, "production", 2)).rejects.toMatchObject({ code: "not-found" });
    // Label names are checked where input is parsed: the operation's edge.
    await expect(invokeOperation(promptOperations.setPromptLabel, { prompts }, owner, { workspaceId, promptId: prompt.id, label: "Bad Label", version: 1 })).rejects.toMatchObject({ code: "invalid-argument" });
    for (let i = 0; i < 20; i += 1) await prompts.setLabel(owner, workspaceId, prompt.id, `l${i}`, 1);
    await expect(prompts.setLabel(owner, workspaceId, prompt.id, "one-too-many", 1)).rejects.toMatchObject({ code: "failed-precondition" });
  });

  it("rejects invalid content with invalid-argument naming the variable and writes nothing", async () => {
    const { prompts, owner, workspaceId } = await setup();

    await expect(prompts.createPrompt(owner, workspaceId, { name: "Bad", template: "Hi {{who}}" })).rejects.toMatchObject({ code: "invalid-argument", message: expect.stringMatching(/who/) });
    expect((await prompts.listPrompts(owner, workspaceId)).items).toEqual([]);
  });

  it("renders a dry run strictly and diffs versions", async () => {
    const { prompts, owner, workspaceId } = await setup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, greeting);
    await prompts.createVersion(owner, workspaceId, prompt.id, { systemTemplate: greeting.systemTemplate, temperature: 0.2, template: "Hi {{name}}.\nBye.", variables: [{ name: "name", type: "string" }, { name: "lang", type: "string", default: "en" }], model: "other" });
    await prompts.setLabel(owner, workspaceId, prompt.id, "production", 1);

    expect(await prompts.renderPrompt(owner, workspaceId, prompt.id, { label: "production" }, { name: "Ada", lang: "fr" })).toEqual({ version: 1, user: "Hello Ada, welcome to Acme.", system: "Answer in fr." });
    await expect(prompts.renderPrompt(owner, workspaceId, prompt.id, {}, {})).rejects.toMatchObject({ code: "invalid-argument", message: "Missing required variable 'name'" });
    await expect(prompts.renderPrompt(owner, workspaceId, prompt.id, {}, { name: "Ada", extra: 1 })).rejects.toMatchObject({ code: "invalid-argument", message: expect.stringMatching(/Unknown variable 'extra'/) });

    const diff = await prompts.diffVersions(owner, workspaceId, prompt.id, { label: "production" }, {});
    expect(diff).toMatchObject({ from: 1, to: 2, settings: [{ field: "model", from: "local-echo", to: "other" }] });
    expect(diff.variables.removed.map((v) => v.name)).toEqual(["product"]);
    expect(diff.variables.changed).toEqual([expect.objectContaining({ name: "lang", fields: ["type", "allowedValues"] })]);
    expect(diff.template.changes).toEqual([
      { kind: "removed", lines: ["Hello {{ name }}, welcome to {{product}}."] },
      { kind: "added", lines: ["Hi {{name}}.", "Bye."] },
    ]);
  });

  it("pages through prompts newest first, visiting every prompt exactly once", async () => {
    const { prompts, owner, workspaceId, clock } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      if (i % 3 !== 0) clock.advance(1); // some prompts share a timestamp: the id breaks the tie
      ids.push((await prompts.createPrompt(owner, workspaceId, { name: `Prompt ${i}`, template: "x" })).prompt.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await prompts.listPrompts(owner, workspaceId, { pageSize: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);

    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(new Set(ids));
    await expect(prompts.listPrompts(owner, workspaceId, { cursor: "garbage" })).rejects.toMatchObject({ code: "invalid-argument" });
  });

  it("finds prompts by name prefix, description word, tag, and their combination", async () => {
    const { prompts, owner, workspaceId } = await setup();
    const support = (await prompts.createPrompt(owner, workspaceId, { name: "Customer Support Reply", description: "Handles refunds politely", tags: ["support", "email"], template: "x" })).prompt.id;
    const sales = (await prompts.createPrompt(owner, workspaceId, { name: "Sales Follow-up", description: "Customer outreach", tags: ["sales", "email"], template: "x" })).prompt.id;
    // Through the operation, whose input schema folds tags to lower case as every client's request is.
    const search = async (options: { search?: string; tag?: string }) => (await invokeOperation(promptOperations.listPrompts, { prompts }, owner, { workspaceId, ...options })).items.map((p) => p.id).sort();

    expect(await search({ search: "cust" })).toEqual([support]);
    expect(await search({ search: "customer" })).toEqual([support, sales].sort());
    expect(await search({ search: "REFUNDS" })).toEqual([support]);
    expect(await search({ search: "refu" })).toEqual([]);
    expect(await search({ tag: "email" })).toEqual([support, sales].sort());
    expect(await search({ tag: "EMAIL", search: "follow" })).toEqual([sales]);
    expect(await search({ search: "customer reply" })).toEqual([support]);
    expect(await search({ search: "customer", tag: "sales" })).toEqual([sales]);

    await prompts.updatePromptMetadata(owner, workspaceId, sales, { name: "Renewal Reminder", tags: ["billing"] });
    expect(await search({ search: "renew" })).toEqual([sales]);
    expect(await search({ tag: "sales" })).toEqual([]);
    expect((await prompts.getPrompt(owner, workspaceId, sales)).latestVersion).toBe(1);
  });

  it("archives (hidden, read-only, not runnable), restores, and deletes an archived prompt with its versions", async () => {
    const { prompts, owner, workspaceId, db } = await setup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, { name: "Old", template: "x" });
    await prompts.createVersion(owner, workspaceId, prompt.id, { template: "y" });
    await prompts.setLabel(owner, workspaceId, prompt.id, "production", 2);

    await expect(prompts.deletePrompt(owner, workspaceId, prompt.id)).rejects.toMatchObject({ code: "failed-precondition" });
    await prompts.archivePrompt(owner, workspaceId, prompt.id);
    expect((await prompts.listPrompts(owner, workspaceId)).items).toEqual([]);
    expect((await prompts.listPrompts(owner, workspaceId, { archived: true })).items.map((p) => p.id)).toEqual([prompt.id]);
    await expect(prompts.createVersion(owner, workspaceId, prompt.id, { template: "z" })).rejects.toMatchObject({ code: "failed-precondition" });
    await expect(prompts.resolveVersion(owner, workspaceId, prompt.id, { label: "production" })).rejects.toMatchObject({ code: "failed-precondition" });
    expect((await prompts.getVersion(owner, workspaceId, prompt.id, { label: "production" })).template).toBe("y");

    await prompts.unarchivePrompt(owner, workspaceId, prompt.id);
    expect((await prompts.resolveVersion(owner, workspaceId, prompt.id)).version).toBe(2);
    await prompts.archivePrompt(owner, workspaceId, prompt.id);

    expect(await prompts.deletePrompt(owner, workspaceId, prompt.id)).toEqual({ deleted: true, versionsDeleted: 2 });
    await expect(prompts.getPrompt(owner, workspaceId, prompt.id)).rejects.toMatchObject({ code: "not-found" });
    expect((await db.collection(`workspaces/${workspaceId}/prompts/${prompt.id}/versions`).get()).empty).toBe(true);
    expect((await db.collection(`workspaces/${workspaceId}/prompts/${prompt.id}/labelEvents`).get()).empty).toBe(true);
  });

  it("lets viewers read but not write", async () => {
    const { prompts, owner, workspaceId, addMember } = await setup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, { name: "Shared", template: "x" });
    const viewer = uniqueUid("viewer");
    await addMember(viewer, "viewer");
    const asViewer = userPrincipal(viewer);

    expect((await prompts.getPrompt(asViewer, workspaceId, prompt.id)).id).toBe(prompt.id);
    expect((await prompts.listPrompts(asViewer, workspaceId)).items).toHaveLength(1);
    await expect(prompts.createVersion(asViewer, workspaceId, prompt.id, { template: "y" })).rejects.toMatchObject({ code: "permission-denied" });
    await expect(prompts.setLabel(asViewer, workspaceId, prompt.id, "production", 1)).rejects.toMatchObject({ code: "permission-denied" });
    await expect(prompts.createPrompt(asViewer, workspaceId, { name: "No", template: "x" })).rejects.toMatchObject({ code: "permission-denied" });
    await expect(prompts.archivePrompt(asViewer, workspaceId, prompt.id)).rejects.toMatchObject({ code: "permission-denied" });
  });

  it("never lets a member or API key of one workspace see or change another's prompts", async () => {
    const a = await setup();
    const b = await setup();
    const { prompt } = await b.prompts.createPrompt(b.owner, b.workspaceId, { name: "Secret of B", template: "x" });
    const keyOfA = a.apiKey(["prompts:read", "prompts:write", "executions:run"]);

    for (const principal of [a.owner, keyOfA]) {
      await expect(a.prompts.getPrompt(principal, b.workspaceId, prompt.id)).rejects.toMatchObject({ code: "not-found" });
      await expect(a.prompts.listPrompts(principal, b.workspaceId)).rejects.toMatchObject({ code: "not-found" });
      await expect(a.prompts.resolveVersion(principal, b.workspaceId, prompt.id)).rejects.toMatchObject({ code: "not-found" });
      await expect(a.prompts.createVersion(principal, b.workspaceId, prompt.id, { template: "pwned" })).rejects.toMatchObject({ code: "not-found" });
      await expect(a.prompts.setLabel(principal, b.workspaceId, prompt.id, "production", 1)).rejects.toMatchObject({ code: "not-found" });
      // The prompt id of B under A's own workspace does not exist either.
      await expect(a.prompts.getPrompt(principal, a.workspaceId, prompt.id)).rejects.toMatchObject({ code: "not-found" });
    }
    await expect(invokeOperation(promptOperations.getPrompt, { prompts: a.prompts }, a.owner, { workspaceId: "../../workspaces", promptId: prompt.id })).rejects.toMatchObject({ code: "invalid-argument" });
    expect((await b.prompts.getPrompt(b.owner, b.workspaceId, prompt.id)).latestVersion).toBe(1);
  });

  it("enforces API key scopes, and lets an execution-only key resolve versions", async () => {
    const { prompts, owner, workspaceId, apiKey } = await setup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, { name: "Scoped", template: "x" });

    await expect(prompts.createVersion(apiKey(["prompts:read"]), workspaceId, prompt.id, { template: "y" })).rejects.toMatchObject({ code: "permission-denied" });
    await expect(prompts.getPrompt(apiKey(["documents:read"]), workspaceId, prompt.id)).rejects.toMatchObject({ code: "permission-denied" });
    expect((await prompts.resolveVersion(apiKey(["executions:run"]), workspaceId, prompt.id)).version).toBe(1);
    await expect(prompts.resolveVersion(apiKey(["documents:read"]), workspaceId, prompt.id)).rejects.toMatchObject({ code: "permission-denied" });
    const created = await prompts.createVersion(apiKey(["prompts:write"]), workspaceId, prompt.id, { template: "by key" });
    expect(created.createdBy).toBe((await prompts.getPrompt(owner, workspaceId, prompt.id)).createdBy);
  });
});
