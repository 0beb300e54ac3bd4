import { callCallable, functionUrl, signUpTestUser, type TestUser } from "../helpers/emulators";

// Each callable is loaded on its first call by the Functions emulator: the first test pays for several.
jest.setTimeout(60_000);

type Prompt = { id: string; latestVersion: number; labels: Record<string, number> };
type Version = { version: number; template: string };

async function call<T>(name: string, data: unknown, user: TestUser): Promise<T> {
  const { status, body } = await callCallable(name, data, user.idToken);
  if (status !== 200) throw new Error(`${name} answered ${status}: ${JSON.stringify(body.error)}`);
  return body.result as T;
}

describe("prompt library over HTTP through the Functions emulator", () => {
  let owner: TestUser;
  let workspaceId: string;

  beforeAll(async () => {
    owner = await signUpTestUser("prompts-e2e");
    workspaceId = (await call<{ id: string }>("createWorkspace", { name: "Prompts E2E" }, owner)).id;
  });

  it("creates a prompt, adds a version, labels it and reads it back by label", async () => {
    const created = await call<{ prompt: Prompt; version: Version }>(
      "createPrompt",
      { workspaceId, name: "Support reply", tags: ["support"], template: "Hi {{name}}", variables: [{ name: "name", type: "string" }] },
      owner,
    );
    const promptId = created.prompt.id;
    expect(created.version.version).toBe(1);

    const v2 = await call<Version>("createPromptVersion", { workspaceId, promptId, template: "Hello {{ name }}!", variables: [{ name: "name", type: "string" }], message: "friendlier" }, owner);
    expect(v2.version).toBe(2);
    await call("setPromptLabel", { workspaceId, promptId, label: "production", version: 2 }, owner);
    await call("setPromptLabel", { workspaceId, promptId, label: "staging", version: 1 }, owner);

    const byLabel = await call<Version>("getPromptVersion", { workspaceId, promptId, label: "production" }, owner);
    expect(byLabel).toMatchObject({ version: 2, template: "Hello {{ name }}!" });
    expect(await call("renderPrompt", { workspaceId, promptId, label: "production", variables: { name: "Ada" } }, owner)).toEqual({ version: 2, user: "Hello Ada!" });
    expect((await call<Prompt>("getPrompt", { workspaceId, promptId }, owner)).labels).toEqual({ production: 2, staging: 1 });
  });

  it("answers invalid-argument naming the undeclared variable and not-found to strangers", async () => {
    const bad = await callCallable("createPrompt", { workspaceId, name: "Bad", template: "Hi {{who}}" }, owner.idToken);
    expect(bad.body.error).toMatchObject({ status: "INVALID_ARGUMENT", message: expect.stringMatching(/who/) });

    const stranger = await signUpTestUser("prompts-stranger");
    const listed = await callCallable("listPrompts", { workspaceId }, stranger.idToken);
    expect(listed.body.error?.status).toBe("NOT_FOUND");
  });

  it("serves the REST routes to an API key of the workspace and to no other", async () => {
    const { secret } = await call<{ secret: string }>("createApiKey", { workspaceId, name: "e2e", scopes: ["prompts:read", "prompts:write"] }, owner);
    const rest = (path: string, init: RequestInit = {}, key = secret) =>
      fetch(`${functionUrl("api")}${path}`, { ...init, headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", ...(init.headers ?? {}) } });

    const created = await rest(`/v1/workspaces/${workspaceId}/prompts`, { method: "POST", body: JSON.stringify({ name: "From REST", template: "Q: {{q}}", variables: [{ name: "q", type: "string" }] }) });
    expect(created.status).toBe(201);
    const { prompt } = (await created.json()) as { prompt: Prompt };

    const labelled = await rest(`/v1/workspaces/${workspaceId}/prompts/${prompt.id}/labels/production`, { method: "PUT", body: JSON.stringify({ version: 1 }) });
    expect(labelled.status).toBe(200);
    const byLabel = await rest(`/v1/workspaces/${workspaceId}/prompts/${prompt.id}/versions/production`);
    expect(byLabel.status).toBe(200);
    expect(await byLabel.json()).toMatchObject({ version: 1, template: "Q: {{q}}" });

    const listed = await rest(`/v1/workspaces/${workspaceId}/prompts?search=rest&pageSize=10`);
    expect(((await listed.json()) as { items: Prompt[] }).items.map((p) => p.id)).toEqual([prompt.id]);

    const otherOwner = await signUpTestUser("prompts-other");
    const otherWorkspace = (await call<{ id: string }>("createWorkspace", { name: "Other" }, otherOwner)).id;
    const { secret: otherKey } = await call<{ secret: string }>("createApiKey", { workspaceId: otherWorkspace, name: "other", scopes: ["prompts:read"] }, otherOwner);
    const probe = await rest(`/v1/workspaces/${workspaceId}/prompts/${prompt.id}`, {}, otherKey);
    expect(probe.status).toBe(404);
  });
});
