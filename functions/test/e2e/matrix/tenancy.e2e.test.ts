import { call, callCallable, createFixture, enterpriseUser, rest, workspaceFingerprint, type Fixture, type TestUser } from "./fixtures";
import { callables, routes } from "./tables";

/**
 * Tenancy probes: user B (with a workspace, prompt, document, execution and API key of her own)
 * aims every callable and every REST route at A's workspace and A's resource ids; a viewer of A
 * aims every write callable at it; keys lacking a scope are refused. A's data is fingerprinted
 * before and after (every document, update times included): nothing may change.
 */
jest.setTimeout(120_000);

describe("tenancy: another workspace's data is never seen or touched", () => {
  let a: Fixture;
  let b: Fixture;
  let viewer: TestUser;
  let before: Record<string, string>;

  beforeAll(async () => {
    const [ownerA, ownerB] = await Promise.all([enterpriseUser("matrix-ten-a"), enterpriseUser("matrix-ten-b")]);
    viewer = await enterpriseUser("matrix-ten-viewer");
    [a, b] = await Promise.all([createFixture(ownerA, "Tenant A"), createFixture(ownerB, "Tenant B")]);
    await call("setMember", { workspaceId: a.workspaceId, uid: viewer.uid, role: "viewer" }, ownerA);
    before = await workspaceFingerprint(a.workspaceId);
  });

  afterAll(async () => {
    expect(await workspaceFingerprint(a.workspaceId)).toEqual(before);
  });

  const scoped = callables.filter((c) => "workspaceId" in c.input({ workspaceId: "w", promptId: "p", documentId: "d", executionId: "e", keyId: "k" } as Fixture));

  it.each(scoped.map((c) => ({ name: c.name, c })))("B calling $name on A's workspace gets not-found", async ({ c }) => {
    const answer = await callCallable(c.name, c.input(a), b.owner.idToken);
    expect({ status: answer.status, code: answer.body.error?.status }).toEqual({ status: 404, code: "NOT_FOUND" });
  });

  it.each(scoped.filter((c) => c.write || c.admin).map((c) => ({ name: c.name, c })))("a viewer of A calling $name gets permission-denied", async ({ c }) => {
    const answer = await callCallable(c.name, c.input(a), viewer.idToken);
    expect({ status: answer.status, code: answer.body.error?.status }).toEqual({ status: 403, code: "PERMISSION_DENIED" });
  });

  it.each(routes.map((r) => ({ name: `${r.method} ${r.path({ workspaceId: "{w}", promptId: "{p}", documentId: "{d}", executionId: "{e}", endpointId: "{ep}", deliveryId: "{dl}", recoveryId: "{job}" } as Fixture)}`, r })))(
    "B's API key on A's $name gets 404",
    async ({ r }) => {
      const answer = await rest(r.method, r.path(a), { key: b.secret, ...(r.body ? { body: r.body } : {}) });
      expect(answer).toMatchObject({ status: 404, body: { error: { code: "not-found", message: expect.any(String) } } });
    },
  );

  describe("keys lacking a scope", () => {
    const keys: { prompts?: string; executions?: string } = {};

    beforeAll(async () => {
      const onlyExecutions = await call<{ secret: string }>("createApiKey", { workspaceId: b.workspaceId, name: "exec only", scopes: ["executions:read"] }, b.owner);
      const onlyPrompts = await call<{ secret: string }>("createApiKey", { workspaceId: b.workspaceId, name: "prompts only", scopes: ["prompts:read"] }, b.owner);
      keys.executions = onlyExecutions.secret;
      keys.prompts = onlyPrompts.secret;
    });

    it.each(routes.map((r) => ({ name: `${r.method} ${r.path({ workspaceId: "{w}", promptId: "{p}", documentId: "{d}", executionId: "{e}", endpointId: "{ep}", deliveryId: "{dl}", recoveryId: "{job}" } as Fixture)}`, r })))("$name gets 403", async ({ r }) => {
      const key = r.path(b).includes("/executions") ? keys.prompts : keys.executions;
      const answer = await rest(r.method, r.path(b), { key: key ?? "", ...(r.body ? { body: r.body } : {}) });
      expect(answer).toMatchObject({ status: 403, body: { error: { code: "permission-denied", message: expect.any(String) } } });
    });
  });
});
