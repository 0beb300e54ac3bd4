import { callables, routes, type Case } from "./tables";
import { callCallable, callRaw, createFixture, enterpriseUser, forgetIdentityFailures, loopbackFailuresCounted, rest, workspaceFingerprint, type Fixture, type TestUser } from "./fixtures";

/**
 * Bad input, for every callable and every REST route: each answers invalid-argument (HTTP 400)
 * naming the field, and writes nothing (the workspace's documents are fingerprinted before and
 * after, update times included).
 *
 * Abuse protection counts validation failures per client IP and bans an IP after 10 in an hour.
 * These requests reach the functions through the emulator, which forwards no `X-Forwarded-For`
 * and talks to its workers over a local socket, so `clientIp` finds no address: no failure is
 * counted and no ban can start (the first test checks exactly that). The limits, the counting
 * and the local stack's config are left as they are; were the emulator ever to pass the
 * loopback address, that test fails first and says why. A signed-in caller's (or a key's) invalid
 * input also counts against that caller, 20 in 10 minutes banning it: each case below stays under
 * that and the count is forgotten after each (`forgetIdentityFailures`).
 */
jest.setTimeout(120_000);

/**
 * Past every operation's own limit (each refuses its `maxInputBytes` at parse, unit-tested per
 * operation in app/operations.test.ts): sent once per transport, since the limit that matters here
 * is the transport's, not the operation's.
 */
const OVERSIZED = "x".repeat(2_300_000);

type Probe = { label: string; send: () => Promise<{ status: number; body: { error?: { status: string; message: string } } }>; names?: string };

function probesFor(c: Case, f: Fixture, user: TestUser): Probe[] {
  const valid = c.input(f);
  const send = (data: unknown) => () => callCallable(c.name, data, user.idToken);
  const probes: Probe[] = [
    { label: "unknown field", send: send({ ...valid, bogusField: 1 }), names: "bogusField" },
    { label: "__proto__ key", send: () => callRaw(c.name, `{"data":${JSON.stringify(valid).replace(/}$/, "")}${Object.keys(valid).length ? "," : ""}"__proto__":{"x":1}}}`, user.idToken), names: "__proto__" },
  ];
  if (c.field) {
    const { [c.field]: _dropped, ...missing } = valid;
    probes.push({ label: "wrong type", send: send({ ...valid, [c.field]: typeof valid[c.field] === "number" ? "12345" : 12345 }), names: c.field });
    probes.push({ label: "missing field", send: send(missing), names: c.field });
  } else {
    probes.push({ label: "wrong type", send: send({ ...valid, pageSize: "ten" }), names: "pageSize" });
  }
  if ("workspaceId" in valid) {
    probes.push({ label: "id with a slash", send: send({ ...valid, workspaceId: `${f.workspaceId}/x` }), names: "workspaceId" });
    probes.push({ label: "300-char id", send: send({ ...valid, workspaceId: "a".repeat(300) }), names: "workspaceId" });
  }
  return probes;
}

describe("bad input to every callable: invalid-argument naming the field, nothing written", () => {
  let owner: TestUser;
  let fixture: Fixture;

  beforeAll(async () => {
    owner = await enterpriseUser("matrix-bad-owner");
    fixture = await createFixture(owner, "Matrix bad input");
  });
  afterEach(() => forgetIdentityFailures(`user:${owner.uid}`));

  it("sends requests whose client IP the product cannot derive, so no failure is counted against it", async () => {
    const bad = await callCallable("getWorkspace", { workspaceId: "a/b" }, owner.idToken);
    expect(bad.body.error?.status).toBe("INVALID_ARGUMENT");
    expect(await loopbackFailuresCounted()).toBe(false);
  });

  it.each(callables.map((c) => ({ name: c.name, c })))("$name", async ({ c }) => {
    const before = c.write ? await workspaceFingerprint(fixture.workspaceId) : undefined;
    const workspacesBefore = c.name === "createWorkspace" ? await callCallable("listWorkspaces", {}, owner.idToken) : undefined;
    const probes = probesFor(c, fixture, owner);
    // One at a time: the Functions emulator runs each concurrent call of a function in a worker
    // process of its own and keeps it for the whole run, so parallel probes multiply its memory.
    const answers: Array<{ probe: string; names: string | undefined; answer: Awaited<ReturnType<Probe["send"]>> }> = [];
    for (const p of probes) answers.push({ probe: p.label, names: p.names, answer: await p.send() });
    for (const { probe, names, answer } of answers) {
      expect({ probe, status: answer.status, code: answer.body.error?.status }).toEqual({ probe, status: 400, code: "INVALID_ARGUMENT" });
      if (names) expect({ probe, message: answer.body.error?.message }).toEqual({ probe, message: expect.stringContaining(names) });
    }
    if (before) expect(await workspaceFingerprint(fixture.workspaceId)).toEqual(before);
    if (workspacesBefore) expect(await callCallable("listWorkspaces", {}, owner.idToken)).toEqual(workspacesBefore);
  });

  it("refuses an oversized body over the callable transport, writing nothing", async () => {
    const before = await workspaceFingerprint(fixture.workspaceId);
    const answer = await callCallable("createDocument", { workspaceId: fixture.workspaceId, title: "Huge", text: OVERSIZED }, owner.idToken);
    expect({ status: answer.status, code: answer.body.error?.status }).toEqual({ status: 400, code: "INVALID_ARGUMENT" });
    expect(await workspaceFingerprint(fixture.workspaceId)).toEqual(before);
  });

  it.each([
    ["createPrompt", (f: Fixture) => ({ workspaceId: f.workspaceId, name: "Many", template: "Hi", variables: Array.from({ length: 101 }, (_, i) => ({ name: `v${i}`, type: "string", required: false })) }), "variables"],
    ["runExecution", (f: Fixture) => ({ workspaceId: f.workspaceId, promptId: f.promptId, variables: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`v${i}`, "x"])) }), "variables"],
    ["renderPrompt", (f: Fixture) => ({ workspaceId: f.workspaceId, promptId: f.promptId, variables: { name: "Ada", extra: "not declared" } }), "extra"],
  ] as const)("%s refuses too many or undeclared variables", async (name, input, field) => {
    const before = await workspaceFingerprint(fixture.workspaceId);
    const answer = await callCallable(name, input(fixture), owner.idToken);
    expect(answer.body.error).toMatchObject({ status: "INVALID_ARGUMENT", message: expect.stringContaining(field) });
    expect(await workspaceFingerprint(fixture.workspaceId)).toEqual(before);
  });
});

const errorShape = { error: { code: "invalid-argument", message: expect.any(String) } };

/** Authenticating stamps the key's `lastUsedAt` (bookkeeping, not data): key documents are left out. */
const withoutKeyUsage = (print: Record<string, string>) => Object.fromEntries(Object.entries(print).filter(([path]) => !path.startsWith("apiKeys/")));

describe("bad input to every REST route: 400 with the JSON error shape, nothing written", () => {
  let fixture: Fixture;

  beforeAll(async () => {
    fixture = await createFixture(await enterpriseUser("matrix-bad-rest"), "Matrix bad REST");
  });
  afterEach(() => forgetIdentityFailures(`apiKey:${fixture.keyId}`));

  it.each(routes.map((r) => ({ name: `${r.method} ${r.path({ workspaceId: "{w}", promptId: "{p}", documentId: "{d}", executionId: "{e}", endpointId: "{ep}", deliveryId: "{dl}", recoveryId: "{job}" } as Fixture)}`, r })))("$name", async ({ r }) => {
    const before = withoutKeyUsage(await workspaceFingerprint(fixture.workspaceId));
    const path = r.path(fixture);
    const key = fixture.secret;
    // Probes are thunks sent one at a time (see above).
    const probes: Array<[string, () => Promise<{ status: number; body: unknown }>, string?]> = [
      ["invalid id", () => rest(r.method, path.replace(fixture.workspaceId, "a%2Fb"), { key, ...(r.body ? { body: r.body } : {}) }), "workspaceId"],
      ["300-char id", () => rest(r.method, path.replace(fixture.workspaceId, "a".repeat(300)), { key, ...(r.body ? { body: r.body } : {}) }), "workspaceId"],
    ];
    if (r.body) {
      const body = r.body;
      probes.push(["unknown field", () => rest(r.method, path, { key, body: { ...body, bogusField: 1 } }), "bogusField"]);
      if (r.field) {
        const field = r.field;
        probes.push(["wrong type", () => rest(r.method, path, { key, body: { ...body, [field]: typeof body[field] === "number" ? "12345" : 12345 } }), field]);
      }
      probes.push(["non-JSON body", () => rest(r.method, path, { key, body: "name=P&template=Hi", contentType: "application/x-www-form-urlencoded" })]);
      probes.push(["__proto__ key", () => rest(r.method, path, { key, body: `${JSON.stringify(body).replace(/}$/, "")},"__proto__":{"x":1}}` }), "__proto__"]);
    }
    if (r.queryField) {
      const queryField = r.queryField;
      probes.push(["wrong query type", () => rest(r.method, `${path}?${queryField}=ten`, { key }), queryField]);
      probes.push(["unknown query", () => rest(r.method, `${path}?bogusField=1`, { key }), "bogusField"]);
    }
    for (const [probe, send, names] of probes) {
      const answer = await send();
      expect({ probe, status: answer.status, body: answer.body }).toMatchObject({ probe, status: 400, body: errorShape });
      if (names) expect({ probe, error: JSON.stringify((answer.body as { error: unknown }).error) }).toEqual({ probe, error: expect.stringContaining(names) });
    }
    expect(withoutKeyUsage(await workspaceFingerprint(fixture.workspaceId))).toEqual(before);
  });

  it("refuses an oversized body over REST with 413 and the JSON error shape, writing nothing", async () => {
    const before = withoutKeyUsage(await workspaceFingerprint(fixture.workspaceId));
    const answer = await rest("POST", `/v1/workspaces/${fixture.workspaceId}/documents`, { key: fixture.secret, body: { title: "Huge", text: OVERSIZED } });
    expect(answer).toMatchObject({ status: 413, body: { error: { code: expect.any(String), message: expect.any(String) } } });
    expect(withoutKeyUsage(await workspaceFingerprint(fixture.workspaceId))).toEqual(before);
  });

  it("answers an unknown route 404, a wrong method 405, and a missing or invalid key 401, all as JSON", async () => {
    const w = fixture.workspaceId;
    const unknown = await rest("GET", `/v1/workspaces/${w}/nothing-here`, { key: fixture.secret });
    const wrongMethod = await rest("PUT", `/v1/workspaces/${w}/prompts`, { key: fixture.secret, body: {} });
    const noKey = await rest("GET", `/v1/workspaces/${w}/prompts`);
    const badKey = await rest("GET", `/v1/workspaces/${w}/prompts`, { key: `rpl_${fixture.keyId}_not-the-secret` });

    expect(unknown).toMatchObject({ status: 404, body: { error: { code: "not-found", message: expect.any(String) } } });
    expect(wrongMethod).toMatchObject({ status: 405, body: { error: { code: "method-not-allowed", message: expect.any(String) } } });
    expect(noKey).toMatchObject({ status: 401, body: { error: { code: "unauthenticated", message: expect.any(String) } } });
    expect(badKey).toMatchObject({ status: 401, body: { error: { code: "unauthenticated", message: expect.any(String) } } });
    for (const answer of [unknown, wrongMethod, noKey, badKey]) expect(answer.contentType).toContain("application/json");
  });
});
