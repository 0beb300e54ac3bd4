import { sseEvents } from "../../src/providers/openai-sse";
import { callCallable, functionUrl, signUpTestUser, type TestUser } from "../helpers/emulators";
import { testDb } from "../helpers/firestore";

// The first call to each function cold-starts it in the emulator.
jest.setTimeout(60_000);

type Execution = { id: string; status: string; output: string; version: number; label: string | null; providerId: string; citations: Array<{ index: number; documentId: string; title: string }>; createdBy: string };

/** Calls a callable the way the SDKs' `.stream()` does: SSE frames `{message}`, then `{result}` or `{error}`. */
async function streamCallable(name: string, data: unknown, idToken: string) {
  const res = await fetch(functionUrl(name), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream", Authorization: `Bearer ${idToken}` },
    body: JSON.stringify({ data }),
  });
  const messages: unknown[] = [];
  let final: { result?: unknown; error?: { status: string } } = {};
  for await (const event of sseEvents(res.body as unknown as AsyncIterable<Uint8Array>)) {
    const frame = JSON.parse(event.data) as { message?: unknown; result?: unknown; error?: { status: string } };
    if ("message" in frame) messages.push(frame.message);
    else final = frame;
  }
  return { status: res.status, messages, ...final };
}

describe("executions over HTTP through the Functions emulator (local provider)", () => {
  let owner: TestUser;
  let viewer: TestUser;
  let stranger: TestUser;
  let workspaceId: string;
  let promptId: string;
  let documentId: string;
  const variables = { question: "Where do visitors park?" };

  beforeAll(async () => {
    [owner, viewer, stranger] = await Promise.all([signUpTestUser("exec-owner"), signUpTestUser("exec-viewer"), signUpTestUser("exec-stranger")]);
    // A run costs 5 of the free tier's 10 units a minute; this suite runs several, so on the pro plan.
    await testDb().doc(`users/${owner.uid}`).set({ plan: "pro" });
    const created = await callCallable("createWorkspace", { name: "Executions e2e" }, owner.idToken);
    workspaceId = (created.body.result as { id: string }).id;
    await testDb().doc(`workspaces/${workspaceId}`).update({ plan: "pro" });
    await callCallable("setMember", { workspaceId, uid: viewer.uid, role: "viewer" }, owner.idToken);
    const text = "# Office\nThe office opens at eight.\n\n## Parking\nVisitors park in the underground garage on level minus two; ask reception for a ticket.";
    const doc = await callCallable("createDocument", { workspaceId, title: "Visitor guide", text }, owner.idToken);
    documentId = (doc.body.result as { id: string }).id;
    const prompt = await callCallable(
      "createPrompt",
      { workspaceId, name: "Visitor help", template: "Answer the visitor: {{question}}", systemTemplate: "Be friendly.", variables: [{ name: "question", type: "string", required: true }] },
      owner.idToken,
    );
    expect(prompt.status).toBe(200);
    promptId = (prompt.body.result as { prompt: { id: string } }).prompt.id;
  });

  it("runs a prompt with retrieval through the callable and stores the execution, readable and listed", async () => {
    const run = await callCallable("runExecution", { workspaceId, promptId, variables, retrieval: { documentIds: [documentId], topK: 2 } }, owner.idToken);

    expect(run.status).toBe(200);
    const execution = run.body.result as Execution;
    expect(execution).toMatchObject({ status: "completed", version: 1, label: null, providerId: "local", createdBy: owner.uid });
    expect(execution.output).toContain("underground garage");
    expect(execution.citations[0]).toMatchObject({ index: 1, documentId, title: "Visitor guide" });

    const got = await callCallable("getExecution", { workspaceId, executionId: execution.id }, viewer.idToken);
    expect(got.body.result).toEqual(execution);
    const listed = await callCallable("listExecutions", { workspaceId, promptId, status: "completed" }, viewer.idToken);
    expect((listed.body.result as { items: Execution[] }).items.map((e) => e.id)).toContain(execution.id);
  });

  it("streams deltas to a client that accepts streaming; they concatenate to the stored output", async () => {
    const streamed = await streamCallable("runExecution", { workspaceId, promptId, variables }, owner.idToken);

    expect(streamed.status).toBe(200);
    expect(streamed.messages.length).toBeGreaterThan(1);
    const execution = streamed.result as Execution;
    expect((streamed.messages as Array<{ delta: string }>).map((m) => m.delta).join("")).toBe(execution.output);
    const stored = await callCallable("getExecution", { workspaceId, executionId: execution.id }, owner.idToken);
    expect((stored.body.result as Execution).output).toBe(execution.output);
  });

  it("refuses viewers (permission-denied) and non-members (not-found), and bad input (invalid-argument)", async () => {
    const byViewer = await callCallable("runExecution", { workspaceId, promptId, variables }, viewer.idToken);
    const byStranger = await callCallable("runExecution", { workspaceId, promptId, variables }, stranger.idToken);
    const readByStranger = await callCallable("listExecutions", { workspaceId }, stranger.idToken);
    const badInput = await callCallable("runExecution", { workspaceId, promptId, variables: {}, retrieval: { topK: 50 } }, owner.idToken);

    expect(byViewer.body.error?.status).toBe("PERMISSION_DENIED");
    expect(byStranger.body.error?.status).toBe("NOT_FOUND");
    expect(readByStranger.body.error?.status).toBe("NOT_FOUND");
    expect(badInput.body.error?.status).toBe("INVALID_ARGUMENT");
    expect(badInput.body.error?.message).toContain("retrieval.topK");
  });

  it("runs over REST with an API key, reads it back, and refuses another workspace and missing scopes", async () => {
    const key = await callCallable("createApiKey", { workspaceId, name: "runner", scopes: ["executions:run", "executions:read"] }, owner.idToken);
    const secret = (key.body.result as { secret: string }).secret;
    const api = (path: string, init: RequestInit = {}) => fetch(`${functionUrl("api")}${path}`, { ...init, headers: { Authorization: `Bearer ${secret}`, "Content-Type": "application/json" } });

    const created = await api(`/v1/workspaces/${workspaceId}/executions`, { method: "POST", body: JSON.stringify({ promptId, variables, maxOutputTokens: 200 }) });
    expect(created.status).toBe(201);
    const execution = (await created.json()) as Execution;
    expect(execution).toMatchObject({ status: "completed", providerId: "local", createdBy: owner.uid });

    const got = await api(`/v1/workspaces/${workspaceId}/executions/${execution.id}`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(execution);
    const list = await api(`/v1/workspaces/${workspaceId}/executions?promptId=${promptId}&pageSize=50`);
    expect(((await list.json()) as { items: Execution[] }).items.map((e) => e.id)).toContain(execution.id);

    const elsewhere = await api(`/v1/workspaces/another-workspace/executions`, { method: "POST", body: JSON.stringify({ promptId, variables }) });
    expect(elsewhere.status).toBe(404);
    // Retrieval reads documents, a scope this key lacks.
    const withRetrieval = await api(`/v1/workspaces/${workspaceId}/executions`, { method: "POST", body: JSON.stringify({ promptId, variables, retrieval: {} }) });
    expect(withRetrieval.status).toBe(403);
    const unknownField = await api(`/v1/workspaces/${workspaceId}/executions`, { method: "POST", body: JSON.stringify({ promptId, variables, stream: true }) });
    expect(unknownField.status).toBe(400);
  });
});
