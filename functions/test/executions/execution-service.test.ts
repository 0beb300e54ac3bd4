import { UnavailableError } from "../../src/lib/errors";
import { estimateCostUsd } from "../../src/executions/execution-messages";
import { executionsPath, type ExecutionView } from "../../src/executions/execution-types";
import { createLocalProvider } from "../../src/providers/local-provider";
import { createOpenAiCompatibleProvider } from "../../src/providers/openai-compatible-provider";
import { uniqueUid, userPrincipal } from "../helpers/firestore";
import { CORPUS } from "../knowledge/knowledge-fixtures";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../providers/fake-openai-server";
import { PROVIDER_LATENCY_MS, QUESTION_PROMPT, eventsFor, executionCount, executionSetup } from "./execution-fixtures";

const variables = { topic: "tomatoes", question: "How often should I water tomato plants?" };

/** What must match between two runs of the same input (ids and times differ). */
function comparable(view: ExecutionView) {
  const { id: _id, createdAt: _c, completedAt: _d, ...rest } = view;
  return rest;
}

describe("running prompts on the real Firestore", () => {
  it("stores a completed execution with every field, and its execution.completed event in the outbox", async () => {
    const { executions, prompts, knowledge, owner, ownerUid, workspaceId, db, provider, fields } = await executionSetup();
    const doc = await knowledge.createDocument(owner, workspaceId, { title: "Tomato care", text: CORPUS.gardening });
    const { prompt } = await prompts.createPrompt(owner, workspaceId, QUESTION_PROMPT);
    await prompts.setLabel(owner, workspaceId, prompt.id, "production", 1);

    const run = await executions.run(owner, workspaceId, { promptId: prompt.id, label: "production", variables, retrieval: { documentIds: [doc.id], topK: 3 }, maxOutputTokens: 500 });

    expect(run).toMatchObject({
      workspaceId,
      promptId: prompt.id,
      version: 1,
      label: "production",
      variables,
      status: "completed",
      retrieval: { query: "Question about tomatoes: How often should I water tomato plants?", documentIds: [doc.id], topK: 3 },
      providerId: "local-priced",
      model: "local-extractive-1",
      finishReason: "stop",
      latencyMs: PROVIDER_LATENCY_MS,
      error: null,
      createdBy: ownerUid,
    });
    expect(run.output).toContain("water");
    expect(run.citations.length).toBeGreaterThan(0);
    expect(run.citations[0]).toMatchObject({ index: 1, documentId: doc.id, title: "Tomato care", cited: expect.any(Boolean) });
    expect(run.citations[0]?.chunkId).toEqual(expect.any(String));
    expect(run.citations[0]?.snippet.length).toBeGreaterThan(0);
    expect(run.usage.inputTokens).toBeGreaterThan(0);
    expect(run.usage.outputTokens).toBeGreaterThan(0);
    const price = provider.pricing(run.model);
    expect(price).toBeDefined();
    expect(run.costUsd).toBe(estimateCostUsd(price ?? { inputPer1k: 0, outputPer1k: 0 }, run.usage));
    expect(run.costUsd).toBeGreaterThan(0);
    expect(Date.parse(run.completedAt) - Date.parse(run.createdAt)).toBe(PROVIDER_LATENCY_MS);

    expect(await executions.get(owner, workspaceId, run.id)).toEqual(run);
    const stored = (await db.doc(`${executionsPath(workspaceId)}/${run.id}`).get()).data() ?? {};
    expect(stored.createdAt.constructor.name).toBe("Timestamp");
    // Inputs and output are personal data: stored sealed (docs/secrets.md), opened on read.
    expect(stored.sealedFields).toEqual(["variablesJson", "output"]);
    expect(stored.variablesJson).toMatch(/^pii1\.\d+\./);
    expect(`${stored.variablesJson}${stored.output}`).not.toMatch(/tomato/i);
    expect(JSON.parse(String((await fields.open(`${executionsPath(workspaceId)}/${run.id}`, stored))?.variablesJson))).toEqual(variables);

    const events = await eventsFor(db, run.id);
    expect(events).toEqual([
      {
        id: expect.any(String),
        type: "execution.completed",
        workspaceId,
        subject: `executions/${run.id}`,
        occurredAt: run.completedAt,
        data: expect.objectContaining({ executionId: run.id, promptId: prompt.id, version: 1, label: "production", usage: run.usage, costUsd: run.costUsd, citationCount: run.citations.length }),
      },
    ]);
    expect(JSON.stringify(events)).not.toContain("tomato plants");
  });

  it("runs the latest version when neither version nor label is given, and a given version when asked", async () => {
    const { executions, prompts, owner, workspaceId } = await executionSetup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, { name: "Versions", template: "First version text." });
    await prompts.createVersion(owner, workspaceId, prompt.id, { template: "Second version text." });

    expect((await executions.run(owner, workspaceId, { promptId: prompt.id, variables: {} })).version).toBe(2);
    expect((await executions.run(owner, workspaceId, { promptId: prompt.id, version: 1, variables: {} })).version).toBe(1);
  });

  it("stores json variables that nest arrays, exactly as given", async () => {
    const { executions, prompts, owner, workspaceId } = await executionSetup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, { name: "Json", template: "Data: {{data}}", variables: [{ name: "data", type: "json", required: true }] });
    const data = { matrix: [[1, 2], [3]], note: "ok" };

    const run = await executions.run(owner, workspaceId, { promptId: prompt.id, variables: { data } });

    expect((await executions.get(owner, workspaceId, run.id)).variables).toEqual({ data });
  });

  it("streams deltas whose concatenation is the stored output, and stores the same record as without streaming", async () => {
    const { executions, prompts, knowledge, owner, workspaceId } = await executionSetup();
    await knowledge.createDocument(owner, workspaceId, { title: "Tomato care", text: CORPUS.gardening });
    const { prompt } = await prompts.createPrompt(owner, workspaceId, QUESTION_PROMPT);
    const input = { promptId: prompt.id, variables, retrieval: {} };

    const deltas: string[] = [];
    const streamed = await executions.run(owner, workspaceId, input, { onDelta: (text) => deltas.push(text) });
    const plain = await executions.run(owner, workspaceId, input);

    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(streamed.output);
    expect((await executions.get(owner, workspaceId, streamed.id)).output).toBe(deltas.join(""));
    expect(comparable(streamed)).toEqual(comparable(plain));
  });

  it("finishes and stores the run when the streaming client goes away", async () => {
    const { executions, prompts, owner, workspaceId } = await executionSetup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, { name: "Gone", template: "Tell me about tomato plants and watering schedules." });

    const run = await executions.run(owner, workspaceId, { promptId: prompt.id, variables: {} }, { onDelta: () => Promise.reject(new Error("client disconnected")) });

    expect((await executions.get(owner, workspaceId, run.id)).status).toBe("completed");
  });
});

describe("provider failures", () => {
  let server: FakeOpenAiServer;
  beforeEach(async () => {
    server = await startFakeOpenAiServer();
  });
  afterEach(() => server.close());

  const httpProvider = () =>
    createOpenAiCompatibleProvider({
      baseUrl: server.baseUrl,
      apiKey: "sk-test-0123456789abcdefghij",
      defaultModel: "gpt-test",
      embeddingModel: "embed-test",
      embeddingDimensions: 256,
      pricing: { "gpt-test": { inputPer1k: 0.5, outputPer1k: 1.5 }, "gpt-custom": { inputPer1k: 0.5, outputPer1k: 1.5 } },
      maxRetries: 1,
      sleep: async () => undefined,
      timeoutMs: 2_000,
    });

  it("records a failed execution and execution.failed, and throws unavailable naming the execution, after retries fail", async () => {
    const { executions, prompts, owner, workspaceId, db } = await executionSetup({ provider: httpProvider });
    const { prompt } = await prompts.createPrompt(owner, workspaceId, QUESTION_PROMPT);
    server.script({ kind: "status", status: 503 }, { kind: "status", status: 500 });

    const error = await executions.run(owner, workspaceId, { promptId: prompt.id, variables }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ code: "unavailable", details: { reason: "provider-unavailable", executionId: expect.any(String) } });
    const executionId = (error as UnavailableError).details?.executionId as string;
    const failed = await executions.get(owner, workspaceId, executionId);
    expect(failed).toMatchObject({ status: "failed", output: "", providerId: "openai-compatible", model: "gpt-test", finishReason: null, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, variables });
    expect(failed.error).toEqual({ code: "unavailable", reason: "provider-unavailable", message: "The model provider is unavailable; try again shortly." });
    expect((await eventsFor(db, executionId)).map((e) => [e.type, e.data.error])).toEqual([["execution.failed", failed.error]]);
    expect(await executionCount(db, workspaceId)).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it("runs over the HTTP provider end to end when it answers, with its usage and model", async () => {
    const { executions, prompts, owner, workspaceId } = await executionSetup({ provider: httpProvider });
    const { prompt } = await prompts.createPrompt(owner, workspaceId, QUESTION_PROMPT);

    const run = await executions.run(owner, workspaceId, { promptId: prompt.id, variables, model: "gpt-custom", temperature: 0.1, maxOutputTokens: 64 });

    expect(run).toMatchObject({ status: "completed", output: "Paris is the capital of France [1].", model: "gpt-custom-2024", providerId: "openai-compatible" });
    expect(server.requests[0]?.body).toMatchObject({ model: "gpt-custom", temperature: 0.1, max_tokens: 64 });
    const messages = server.requests[0]?.body.messages as Array<{ role: string; content: string }>;
    expect(messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(messages[1]?.content).toBe("Question about tomatoes: How often should I water tomato plants?");
  });

  it("records a stream cut mid-way as failed, with no partial output stored", async () => {
    const { executions, prompts, owner, workspaceId, db } = await executionSetup({ provider: httpProvider });
    const { prompt } = await prompts.createPrompt(owner, workspaceId, QUESTION_PROMPT);
    server.script({ kind: "cut-stream", afterChunks: 2 });
    const deltas: string[] = [];

    const error = await executions.run(owner, workspaceId, { promptId: prompt.id, variables }, { onDelta: (d) => deltas.push(d) }).catch((e: unknown) => e);

    expect(deltas.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: "unavailable", details: { reason: "provider-stream-cut" } });
    const failed = await executions.get(owner, workspaceId, (error as UnavailableError).details?.executionId as string);
    expect(failed).toMatchObject({ status: "failed", output: "", error: { reason: "provider-stream-cut" } });
    expect(await executionCount(db, workspaceId)).toBe(1);
  });

  it("records a rejected key as a failed execution with a configuration error, never exposing the key", async () => {
    const { executions, prompts, owner, workspaceId } = await executionSetup({ provider: httpProvider });
    const { prompt } = await prompts.createPrompt(owner, workspaceId, QUESTION_PROMPT);
    server.requireKey("another-key");

    const error = await executions.run(owner, workspaceId, { promptId: prompt.id, variables }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: "failed-precondition", details: { reason: "provider-auth" } });
    const failed = await executions.get(owner, workspaceId, (error as UnavailableError).details?.executionId as string);
    expect(failed.error?.code).toBe("failed-precondition");
    expect(JSON.stringify(failed)).not.toContain("sk-test");
  });

  it("maps an unexpected provider exception to unavailable, recorded as failed", async () => {
    const broken = () => ({ ...createLocalProvider(), generate: () => Promise.reject(new TypeError("socket hang up")) });
    const { executions, prompts, owner, workspaceId, db } = await executionSetup({ provider: broken });
    const { prompt } = await prompts.createPrompt(owner, workspaceId, QUESTION_PROMPT);

    await expect(executions.run(owner, workspaceId, { promptId: prompt.id, variables })).rejects.toMatchObject({ code: "unavailable", details: { reason: "provider-error" } });
    expect(await executionCount(db, workspaceId)).toBe(1);
  });
});

describe("refusals that store nothing", () => {
  it("refuses bad variables, unknown and archived prompts and oversized renders before any run", async () => {
    const { executions, prompts, owner, workspaceId, db } = await executionSetup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, QUESTION_PROMPT);
    const { prompt: big } = await prompts.createPrompt(owner, workspaceId, { name: "Big", template: "{{a}}{{a}}{{a}}{{a}}", variables: [{ name: "a", type: "string", required: true }] });
    const { prompt: archived } = await prompts.createPrompt(owner, workspaceId, { name: "Old", template: "x" });
    await prompts.archivePrompt(owner, workspaceId, archived.id);

    await expect(executions.run(owner, workspaceId, { promptId: prompt.id, variables: { topic: "x" } })).rejects.toMatchObject({ code: "invalid-argument", issues: [{ path: "variables.question" }] });
    await expect(executions.run(owner, workspaceId, { promptId: prompt.id, variables: { ...variables, typo: 1 } })).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(executions.run(owner, workspaceId, { promptId: "nope", variables: {} })).rejects.toMatchObject({ code: "not-found" });
    await expect(executions.run(owner, workspaceId, { promptId: prompt.id, label: "missing", variables })).rejects.toMatchObject({ code: "not-found" });
    await expect(executions.run(owner, workspaceId, { promptId: archived.id, variables: {} })).rejects.toMatchObject({ code: "failed-precondition" });
    await expect(executions.run(owner, workspaceId, { promptId: big.id, variables: { a: "x".repeat(30_000) } })).rejects.toMatchObject({ code: "payload-too-large" });
    expect(await executionCount(db, workspaceId)).toBe(0);
  });
});

describe("tenancy and roles", () => {
  it("keeps one workspace's executions away from other workspaces' members and API keys", async () => {
    const a = await executionSetup();
    const b = await executionSetup();
    const { prompt } = await a.prompts.createPrompt(a.owner, a.workspaceId, QUESTION_PROMPT);
    const run = await a.executions.run(a.owner, a.workspaceId, { promptId: prompt.id, variables });
    const keyOfB = b.apiKey(["executions:run", "executions:read", "prompts:read", "documents:read"]);

    for (const stranger of [b.owner, keyOfB]) {
      await expect(a.executions.run(stranger, a.workspaceId, { promptId: prompt.id, variables })).rejects.toMatchObject({ code: "not-found" });
      await expect(a.executions.get(stranger, a.workspaceId, run.id)).rejects.toMatchObject({ code: "not-found" });
      await expect(a.executions.list(stranger, a.workspaceId)).rejects.toMatchObject({ code: "not-found" });
    }
    // B's own workspace does not see A's execution or prompt either.
    await expect(b.executions.get(b.owner, b.workspaceId, run.id)).rejects.toMatchObject({ code: "not-found" });
    await expect(b.executions.run(b.owner, b.workspaceId, { promptId: prompt.id, variables })).rejects.toMatchObject({ code: "not-found" });
    expect(await executionCount(a.db, b.workspaceId)).toBe(0);
    expect(await executionCount(a.db, a.workspaceId)).toBe(1);
  });

  it("lets viewers read but not run, and API keys only with the matching scopes", async () => {
    const { executions, prompts, owner, workspaceId, addMember, apiKey } = await executionSetup();
    const { prompt } = await prompts.createPrompt(owner, workspaceId, QUESTION_PROMPT);
    const run = await executions.run(owner, workspaceId, { promptId: prompt.id, variables });
    const viewer = uniqueUid("viewer");
    const editor = uniqueUid("editor");
    await addMember(viewer, "viewer");
    await addMember(editor, "editor");

    await expect(executions.run(userPrincipal(viewer), workspaceId, { promptId: prompt.id, variables })).rejects.toMatchObject({ code: "permission-denied" });
    expect((await executions.get(userPrincipal(viewer), workspaceId, run.id)).id).toBe(run.id);
    expect((await executions.run(userPrincipal(editor), workspaceId, { promptId: prompt.id, variables })).createdBy).toBe(editor);

    await expect(executions.run(apiKey(["executions:read"]), workspaceId, { promptId: prompt.id, variables })).rejects.toMatchObject({ code: "permission-denied" });
    await expect(executions.get(apiKey(["executions:run"]), workspaceId, run.id)).rejects.toMatchObject({ code: "permission-denied" });
    const byKey = await executions.run(apiKey(["executions:run"]), workspaceId, { promptId: prompt.id, variables });
    expect(byKey.status).toBe("completed");
    await expect(executions.run(apiKey(["executions:run"]), workspaceId, { promptId: prompt.id, variables, retrieval: {} })).rejects.toMatchObject({ code: "permission-denied" });
  });
});

describe("listing executions", () => {
  it("pages newest first and filters by prompt and status", async () => {
    const { executions, prompts, owner, workspaceId, clock } = await executionSetup();
    const { prompt: p1 } = await prompts.createPrompt(owner, workspaceId, { name: "One", template: "First prompt about tomatoes." });
    const { prompt: p2 } = await prompts.createPrompt(owner, workspaceId, { name: "Two", template: "Second prompt about roses." });
    const ids: string[] = [];
    for (const promptId of [p1.id, p2.id, p1.id, p1.id]) {
      clock.advance(1000);
      ids.push((await executions.run(owner, workspaceId, { promptId, variables: {} })).id);
    }

    const first = await executions.list(owner, workspaceId, { pageSize: 3 });
    expect(first.items.map((e) => e.id)).toEqual([ids[3], ids[2], ids[1]]);
    const second = await executions.list(owner, workspaceId, { pageSize: 3, cursor: first.nextCursor ?? "" });
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

    const onlyP1 = await executions.list(owner, workspaceId, { promptId: p1.id, status: "completed" });
    expect(onlyP1.items.map((e) => e.id)).toEqual([ids[3], ids[2], ids[0]]);
    expect((await executions.list(owner, workspaceId, { promptId: p2.id })).items.map((e) => e.id)).toEqual([ids[1]]);
    expect((await executions.list(owner, workspaceId, { status: "failed" })).items).toEqual([]);
    await expect(executions.list(owner, workspaceId, { cursor: "garbage" })).rejects.toMatchObject({ code: "invalid-argument" });
  });
});
