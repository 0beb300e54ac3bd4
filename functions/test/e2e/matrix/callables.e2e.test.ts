import { ALL_SCOPES, call, enterpriseUser, webhookReceiverUrl, type TestUser } from "./fixtures";
import { testDb } from "../../helpers/firestore";

/**
 * Every deployed callable (all of `index.ts` but `verifyChallenge`, `health`, `api` and the
 * triggers), called once successfully over HTTP through the Functions emulator with a real Auth
 * emulator ID token. The fixtures are made through the callables themselves, in order; the
 * destructive calls come last.
 */
jest.setTimeout(120_000);

type Ctx = {
  owner: TestUser;
  member: TestUser;
  workspaceId: string;
  promptId: string;
  documentId: string;
  executionId: string;
  keyId: string;
  receiverUrl: string;
  endpointId: string;
  deliveryId: string;
  jobId: string;
};

type Endpoint = { id: string; enabled: boolean; description: string; secrets: unknown[] };

describe("every callable answers over HTTP through the Functions emulator", () => {
  const ctx = {} as Ctx;
  const made: Record<string, unknown> = {};

  beforeAll(async () => {
    [ctx.owner, ctx.member] = await Promise.all([enterpriseUser("matrix-calls-owner"), enterpriseUser("matrix-calls-member")]);
    made.createWorkspace = await call<{ id: string }>("createWorkspace", { name: "Matrix callables", description: "every callable" }, ctx.owner);
    ctx.workspaceId = (made.createWorkspace as { id: string }).id;
    await testDb().doc(`workspaces/${ctx.workspaceId}`).update({ plan: "enterprise" });
    const { workspaceId } = ctx;
    made.createPrompt = await call("createPrompt", { workspaceId, name: "Greeter", tags: ["Demo"], template: "Hello {{name}}", variables: [{ name: "name", type: "string" }] }, ctx.owner);
    ctx.promptId = (made.createPrompt as { prompt: { id: string } }).prompt.id;
    const { promptId } = ctx;
    made.createPromptVersion = await call("createPromptVersion", { workspaceId, promptId, template: "Hi {{name}}!", variables: [{ name: "name", type: "string" }], message: "shorter" }, ctx.owner);
    made.setPromptLabel = await call("setPromptLabel", { workspaceId, promptId, label: "production", version: 2 }, ctx.owner);
    made.createDocument = await call("createDocument", { workspaceId, title: "Visitor guide", text: "# Parking\nVisitors park in the garage on level minus two." }, ctx.owner);
    ctx.documentId = (made.createDocument as { id: string }).id;
    made.runExecution = await call("runExecution", { workspaceId, promptId, label: "production", variables: { name: "Ada" } }, ctx.owner);
    ctx.executionId = (made.runExecution as { id: string }).id;
    made.createApiKey = await call("createApiKey", { workspaceId, name: "matrix", scopes: [...ALL_SCOPES] }, ctx.owner);
    ctx.keyId = (made.createApiKey as { apiKey: { keyId: string } }).apiKey.keyId;
    ctx.receiverUrl = await webhookReceiverUrl();
  });

  it("made the fixtures: createWorkspace, createPrompt, createPromptVersion, setPromptLabel, createDocument, runExecution, createApiKey", () => {
    expect(made.createWorkspace).toMatchObject({ id: ctx.workspaceId, name: "Matrix callables" });
    expect(made.createPrompt).toMatchObject({ prompt: { id: ctx.promptId, latestVersion: 1, tags: ["demo"] }, version: { version: 1 } });
    expect(made.createPromptVersion).toMatchObject({ version: 2, template: "Hi {{name}}!" });
    expect(made.setPromptLabel).toEqual({ label: "production", version: 2, previousVersion: null });
    expect(made.createDocument).toMatchObject({ id: ctx.documentId, title: "Visitor guide" });
    expect(made.runExecution).toMatchObject({ id: ctx.executionId, status: "completed", version: 2, label: "production", createdBy: ctx.owner.uid });
    expect(made.createApiKey).toMatchObject({ apiKey: { keyId: ctx.keyId, scopes: [...ALL_SCOPES] }, secret: expect.stringMatching(/^rpl_/) });
  });

  // In order: each row may rely on the rows above it (the destructive ones are last).
  const rows: Array<[name: string, input: (c: Ctx) => Record<string, unknown>, check: (result: unknown, c: Ctx) => void, as?: "member"]> = [
    ["getWorkspace", (c) => ({ workspaceId: c.workspaceId }), (r, c) => expect(r).toMatchObject({ id: c.workspaceId, name: "Matrix callables" })],
    ["listWorkspaces", () => ({ pageSize: 100 }), (r, c) => expect(JSON.stringify(r)).toContain(c.workspaceId)],
    ["setMember", (c) => ({ workspaceId: c.workspaceId, uid: c.member.uid, role: "viewer" }), (r, c) => expect(JSON.stringify(r)).toContain(c.member.uid)],
    ["listMembers", (c) => ({ workspaceId: c.workspaceId }), (r, c) => expect((r as { items: Array<{ uid: string }> }).items.map((m) => m.uid).sort()).toEqual([c.owner.uid, c.member.uid].sort())],
    ["listApiKeys", (c) => ({ workspaceId: c.workspaceId }), (r, c) => expect((r as { items: Array<{ keyId: string }> }).items.map((k) => k.keyId)).toEqual([c.keyId])],
    ["getPrompt", (c) => ({ workspaceId: c.workspaceId, promptId: c.promptId }), (r, c) => expect(r).toMatchObject({ id: c.promptId, latestVersion: 2, labels: { production: 2 } }), "member"],
    ["listPrompts", (c) => ({ workspaceId: c.workspaceId, tag: "demo" }), (r, c) => expect((r as { items: Array<{ id: string }> }).items.map((p) => p.id)).toEqual([c.promptId])],
    ["updatePromptMetadata", (c) => ({ workspaceId: c.workspaceId, promptId: c.promptId, description: "Says hello" }), (r) => expect(r).toMatchObject({ description: "Says hello" })],
    ["getPromptVersion", (c) => ({ workspaceId: c.workspaceId, promptId: c.promptId, label: "production" }), (r) => expect(r).toMatchObject({ version: 2, template: "Hi {{name}}!" })],
    ["listPromptVersions", (c) => ({ workspaceId: c.workspaceId, promptId: c.promptId }), (r) => expect((r as { items: Array<{ version: number }> }).items.map((v) => v.version).sort()).toEqual([1, 2])],
    ["listPromptLabelHistory", (c) => ({ workspaceId: c.workspaceId, promptId: c.promptId }), (r) => expect(JSON.stringify(r)).toContain("production")],
    ["diffPromptVersions", (c) => ({ workspaceId: c.workspaceId, promptId: c.promptId, from: { version: 1 }, to: { label: "production" } }), (r) => expect(JSON.stringify(r)).toContain("Hi {{name}}!")],
    ["renderPrompt", (c) => ({ workspaceId: c.workspaceId, promptId: c.promptId, version: 1, variables: { name: "Ada" } }), (r) => expect(r).toEqual({ version: 1, user: "Hello Ada" }), "member"],
    ["deletePromptLabel", (c) => ({ workspaceId: c.workspaceId, promptId: c.promptId, label: "production" }), (r) => expect(r).toEqual({ label: "production", previousVersion: 2 })],
    ["getDocument", (c) => ({ workspaceId: c.workspaceId, documentId: c.documentId }), (r, c) => expect(r).toMatchObject({ id: c.documentId, title: "Visitor guide" }), "member"],
    ["listDocuments", (c) => ({ workspaceId: c.workspaceId }), (r, c) => expect((r as { items: Array<{ id: string }> }).items.map((d) => d.id)).toEqual([c.documentId])],
    ["searchDocuments", (c) => ({ workspaceId: c.workspaceId, query: "where do visitors park", topK: 3 }), (r, c) => expect(JSON.stringify((r as { results: unknown[] }).results)).toContain(c.documentId)],
    ["reingestDocument", (c) => ({ workspaceId: c.workspaceId, documentId: c.documentId, text: "# Parking\nVisitors now park on level minus three." }), (r, c) => expect(r).toMatchObject({ id: c.documentId })],
    ["createDocumentUpload", (c) => ({ workspaceId: c.workspaceId, title: "Manual", filename: "manual.pdf", contentType: "application/pdf" }), (r) => expect(r).toMatchObject({ document: { title: "Manual" } })],
    ["getExecution", (c) => ({ workspaceId: c.workspaceId, executionId: c.executionId }), (r, c) => expect(r).toMatchObject({ id: c.executionId, status: "completed" }), "member"],
    ["listExecutions", (c) => ({ workspaceId: c.workspaceId, promptId: c.promptId }), (r, c) => expect((r as { items: Array<{ id: string }> }).items.map((e) => e.id)).toEqual([c.executionId])],
    ...webhookRows(),
    ["archivePrompt", (c) => ({ workspaceId: c.workspaceId, promptId: c.promptId }), (r) => expect(r).toMatchObject({ archived: true })],
    ["unarchivePrompt", (c) => ({ workspaceId: c.workspaceId, promptId: c.promptId }), (r) => expect(r).toMatchObject({ archived: false })],
    ["revokeApiKey", (c) => ({ workspaceId: c.workspaceId, keyId: c.keyId }), (r, c) => expect(r).toMatchObject({ keyId: c.keyId, revokedAt: expect.any(String) })],
    ["deleteDocument", (c) => ({ workspaceId: c.workspaceId, documentId: c.documentId }), (r) => expect(r).toEqual({ deleted: true })],
    ["archivePrompt", (c) => ({ workspaceId: c.workspaceId, promptId: c.promptId }), (r) => expect(r).toMatchObject({ archived: true })],
    ["deletePrompt", (c) => ({ workspaceId: c.workspaceId, promptId: c.promptId }), (r) => expect(r).toEqual({ deleted: true, versionsDeleted: 2 })],
    ["removeMember", (c) => ({ workspaceId: c.workspaceId, uid: c.member.uid }), (r) => expect(r).toEqual({ removed: true })],
  ];

  // One argument, so jest never mistakes a trailing parameter for a `done` callback.
  it.each(rows.map((row, i) => ({ name: `${i + 1}. ${row[0]}`, row })))("$name", async ({ row: [name, input, check, as] }) => {
    const result = await call(name, input(ctx), as === "member" ? ctx.member : ctx.owner);
    check(result, ctx);
  });
});

/** The webhook callables in order: an endpoint on a local receiver (answers 204), its test delivery, a replay, a recovery, then deletion. */
function webhookRows(): Array<[string, (c: Ctx) => Record<string, unknown>, (result: unknown, c: Ctx) => void]> {
  const endpoint = (c: Ctx) => ({ workspaceId: c.workspaceId, endpointId: c.endpointId });
  return [
    [
      "createWebhookEndpoint",
      (c) => ({ workspaceId: c.workspaceId, url: c.receiverUrl, eventTypes: ["webhook.endpoint_disabled"], description: "matrix" }),
      (r, c) => {
        const created = r as { endpoint: Endpoint; secret: string };
        c.endpointId = created.endpoint.id;
        expect(created).toMatchObject({ endpoint: { enabled: true, description: "matrix", state: "healthy" }, secret: expect.stringMatching(/^whsec_/) });
      },
    ],
    ["listWebhookEndpoints", (c) => ({ workspaceId: c.workspaceId }), (r, c) => expect((r as { items: Endpoint[] }).items.map((e) => e.id)).toEqual([c.endpointId])],
    ["getWebhookEndpoint", endpoint, (r, c) => expect(r).toMatchObject({ id: c.endpointId, url: c.receiverUrl })],
    ["updateWebhookEndpoint", (c) => ({ ...endpoint(c), description: "renamed" }), (r) => expect(r).toMatchObject({ description: "renamed" })],
    [
      "sendWebhookTest",
      endpoint,
      (r, c) => {
        c.deliveryId = (r as { id: string }).id;
        expect(r).toMatchObject({ eventType: "webhook.test", state: "delivered", totalAttempts: 1, test: true });
      },
    ],
    ["listWebhookDeliveries", endpoint, (r, c) => expect((r as { items: Array<{ id: string }> }).items.map((d) => d.id)).toEqual([c.deliveryId])],
    ["getWebhookDelivery", (c) => ({ workspaceId: c.workspaceId, deliveryId: c.deliveryId }), (r, c) => expect(r).toMatchObject({ id: c.deliveryId, webhookId: `msg_${c.deliveryId}`, attempts: [{ statusCode: 204, ok: true }] })],
    ["replayWebhookDelivery", (c) => ({ workspaceId: c.workspaceId, deliveryId: c.deliveryId }), (r, c) => expect(r).toMatchObject({ id: c.deliveryId, rounds: 2 })],
    ["rotateWebhookSecret", (c) => ({ ...endpoint(c), graceSeconds: 60 }), (r) => expect(r).toMatchObject({ endpoint: { secrets: [expect.anything(), expect.anything()] }, secret: expect.stringMatching(/^whsec_/) })],
    ["revokeOldWebhookSecrets", endpoint, (r) => expect((r as Endpoint).secrets).toHaveLength(1)],
    ["disableWebhookEndpoint", endpoint, (r) => expect(r).toMatchObject({ enabled: false, disabledReason: "manual", state: "disabled" })],
    ["enableWebhookEndpoint", endpoint, (r) => expect(r).toMatchObject({ enabled: true, disabledReason: null })],
    [
      "recoverWebhookDeliveries",
      (c) => ({ ...endpoint(c), since: new Date(Date.now() - 3_600_000).toISOString() }),
      (r, c) => {
        c.jobId = (r as { id: string }).id;
        expect(r).toMatchObject({ endpointId: c.endpointId, status: "running" });
      },
    ],
    ["getWebhookRecovery", (c) => ({ workspaceId: c.workspaceId, jobId: c.jobId }), (r, c) => expect(r).toMatchObject({ id: c.jobId, workspaceId: c.workspaceId })],
    ["getWebhookStats", (c) => ({ workspaceId: c.workspaceId }), (r, c) => expect((r as { items: Array<{ endpointId: string; attempts: number }> }).items).toEqual([expect.objectContaining({ endpointId: c.endpointId, attempts: expect.any(Number) })])],
    ["deleteWebhookEndpoint", endpoint, (r) => expect(r).toEqual({ deleted: true })],
  ];
}
