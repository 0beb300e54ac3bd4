import { operations, restRoutes } from "../../src/app/operations";
import { signUpTestUser, functionUrl } from "../helpers/emulators";
import { testDb } from "../helpers/firestore";
import { ALL_SCOPES, call, createFixture, enterpriseUser, httpRequest, workspaceFingerprint, type Fixture, type TestUser } from "./matrix/fixtures";
import { callables, routes as routeTable } from "./matrix/tables";
import { mutateObject, ODD_CURSORS, ODD_SEGMENTS, prng, type ForeignIds, type Rng } from "./fuzz/mutations";

/**
 * A seeded fuzz run over every callable and every REST route, derived from the operation list so
 * a new operation is fuzzed without editing this file. Each request starts from the matrix's
 * valid request and is mutated; each answer must be 2xx, or 4xx with the documented error shape,
 * within the time budget; a failed write must leave the workspace's documents as they were.
 *
 *   FUZZ_SEED=<n>        the seed (printed; the default is fixed so CI repeats itself)
 *   FUZZ_REQUESTS=<n>    requests in total (default 150: every target at least once, and `npm test`
 *                        stays quick; an outside run used 10,000)
 *   FUZZ_BUDGET_MS=<n>   round-trip budget per request (default 5,000: a loaded 2-core box)
 *
 * Abuse protection bans an identity after 20 failures in 10 minutes, so the caller (a user for
 * callables, a key for REST) is replaced every ROTATE_EVERY requests, and the fixture every
 * FIXTURE_EVERY requests (successful destructive calls delete what later requests aim at).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_250_611);
const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 150);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 5_000);
const ROTATE_EVERY = 12;
const FIXTURE_EVERY = 150;
jest.setTimeout(Math.max(300_000, TOTAL * 1_500));

type Answer = { status: number; text: string; contentType: string; requestId: string; ms: number };
type Probe = { target: string; label: string; write: boolean; send: () => Promise<Answer> };

const PLACEHOLDERS = { workspaceId: "{workspaceId}", promptId: "{promptId}", documentId: "{documentId}", executionId: "{executionId}", keyId: "{keyId}" } as unknown as Fixture;
const templateOf = (path: string) => path.split("?")[0]!.replace(/\/versions\/1$/, "/versions/{ref}").replace(/\/labels\/(staging|production)$/, "/labels/{label}");

async function timed(send: () => Promise<{ status: number; text: string; contentType: string; requestId: string }>): Promise<Answer> {
  const start = performance.now();
  const res = await send();
  return { ...res, ms: performance.now() - start };
}

function callableProbe(name: string, write: boolean, input: Record<string, unknown>, rng: Rng, foreign: ForeignIds, token: string): Probe {
  const raw = rng.next() < 0.1;
  if (raw) {
    const text = rng.pick([`{"data":`, `{"data":${JSON.stringify(input)},"extra":1}`, "{}", `{"data":[1,2]}`, "null", `{"data":${JSON.stringify(input)}}}`]);
    return { target: name, label: `raw body ${text.slice(0, 60)}`, write, send: () => timed(() => post(functionUrl(name), text, token)) };
  }
  const m = mutateObject(input, rng, foreign);
  return { target: name, label: m.label, write, send: () => timed(() => post(functionUrl(name), JSON.stringify({ data: m.value }), token)) };
}

function post(url: string, body: string, token: string, contentType = "application/json") {
  return httpRequest(url, { method: "POST", headers: { "Content-Type": contentType, Authorization: `Bearer ${token}` }, body });
}

function queryString(query: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && typeof value === "object") parts.push(`${encodeURIComponent(key)}[a]=${encodeURIComponent(JSON.stringify(value))}`);
    else parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

function restProbe(method: string, path: string, body: Record<string, unknown> | undefined, rng: Rng, foreign: ForeignIds, key: string): Probe {
  const [bare, search] = path.split("?");
  const query: Record<string, unknown> = Object.fromEntries(new URLSearchParams(search ?? ""));
  const hasBody = method !== "GET" && method !== "DELETE";
  const write = method !== "GET";
  const target = `${method} ${templateOf(path)}`;
  const send = (m: string, p: string, text: string | undefined, contentType = "application/json") => () =>
    timed(() => httpRequest(`${functionUrl("api")}${p}`, { method: m, headers: { Authorization: `Bearer ${key}`, ...(text !== undefined ? { "Content-Type": contentType } : {}) }, ...(text !== undefined ? { body: text } : {}) }));
  const plain = hasBody ? JSON.stringify(body ?? {}) : undefined;
  switch (rng.pick(["input", "input", "input", "segment", "method", "contentType", "badJson", "query"] as const)) {
    case "segment": {
      const segments = bare!.split("/");
      const i = 3 + rng.int(Math.max(1, segments.length - 3));
      const odd = rng.pick(ODD_SEGMENTS);
      segments[Math.min(i, segments.length - 1)] = odd;
      return { target, label: `path segment ${odd.slice(0, 30)}`, write, send: send(method, segments.join("/") + (search ? `?${search}` : ""), plain) };
    }
    case "method": {
      const other = rng.pick(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"].filter((x) => x !== method));
      return { target, label: `method ${other}`, write: other !== "GET" && other !== "HEAD" && other !== "OPTIONS", send: send(other, path, other === "GET" || other === "HEAD" ? undefined : plain ?? "{}") };
    }
    case "contentType": {
      const type = rng.pick(["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=utf-16", "application/octet-stream"]);
      return { target, label: `content type ${type}`, write, send: send(method, path, plain ?? "{}", type) };
    }
    case "badJson": {
      const text = rng.pick(["{", "[1,2", '{"a":1}}', "\u0000", "nul", '"just a string"', "[]", "1e999", '{"a":' + "[".repeat(5000)]);
      return { target, label: `body text ${JSON.stringify(text.slice(0, 20))}`, write, send: send(method, path, text) };
    }
    case "query": {
      const extra = rng.pick(["__proto__[polluted]=1", "constructor[prototype][polluted]=1", "pageSize=1&pageSize=2", `cursor=${encodeURIComponent(rng.pick(ODD_CURSORS))}`, "pageSize=1e308", "pageSize=-1", "pageSize=NaN", "toString=1", "a[b][c][d][e][f][g]=1"]);
      return { target, label: `query ${extra.slice(0, 40)}`, write, send: send(method, `${bare}?${search ? `${search}&` : ""}${extra}`, plain) };
    }
    default: {
      if (hasBody) {
        const m = mutateObject(body ?? {}, rng, foreign);
        return { target, label: `body ${m.label}`, write, send: send(method, path, JSON.stringify(m.value)) };
      }
      const m = mutateObject(query, rng, foreign);
      const q = m.value && typeof m.value === "object" && !Array.isArray(m.value) ? (m.value as Record<string, unknown>) : { value: m.value };
      return { target, label: `query ${m.label}`, write, send: send(method, `${bare}${queryString(q)}`, undefined) };
    }
  }
}

/** The documented error shapes: the callable protocol's, and the REST API's JSON. */
function shapeProblem(kind: "callable" | "rest", a: Answer): string | undefined {
  if (a.status >= 500 || a.status < 200 || (a.status >= 300 && a.status < 400)) return `status ${a.status}`;
  if (a.status < 400) return undefined;
  if (kind === "rest" && a.text === "") return a.status === 405 || a.status === 404 ? undefined : `empty ${a.status} body`;
  let body: { error?: { status?: unknown; code?: unknown; message?: unknown } };
  try {
    body = JSON.parse(a.text) as typeof body;
  } catch {
    return `non-JSON ${a.status} body: ${a.text.slice(0, 80)}`;
  }
  const code = kind === "callable" ? body.error?.status : body.error?.code;
  return typeof code === "string" && typeof body.error?.message === "string" ? undefined : `unexpected ${a.status} body: ${a.text.slice(0, 120)}`;
}

/**
 * What a failed request must not change. Background work changes some documents on its own time:
 * key documents on every use (`lastUsedAt`), outbox events when they are published (`published`),
 * and derived counters written by event consumers (`eventStats`, webhook stats): for those only
 * presence counts (events) or nothing does (derived counters).
 */
async function print(workspaceId: string): Promise<string> {
  const all = await workspaceFingerprint(workspaceId);
  const derived = /\/(eventStats|webhookStats)\//;
  return JSON.stringify(
    Object.entries(all)
      .filter(([path]) => !derived.test(path))
      .map(([path, at]) => [path, path.startsWith("apiKeys/") || path.startsWith("events/") ? "present" : at])
      .sort(),
  );
}

/**
 * Some requests never reach our code: the runtime's own parser refuses a malformed body (400
 * with its own page), Node refuses oversized headers (431), the runtime refuses a path it cannot
 * decode or a body on a method it does not expect (400). Those answers are the platform's: they
 * are reported apart and checked to be 4xx and nothing worse. REST answers from our router always
 * carry `X-Request-Id`, which tells them apart; callables answer through the callable protocol,
 * so there only malformed bodies count as the platform's.
 */
function platformRefusal(kind: "callable" | "rest", label: string, a: Answer): boolean {
  if (a.status < 400 || a.status >= 500) return false;
  return kind === "rest" ? a.requestId === "" : /^(raw body|body text|content type)/.test(label);
}

describe(`fuzz: every callable and REST route (seed ${SEED}, ${TOTAL} requests)`, () => {
  let other: Fixture;

  beforeAll(async () => {
    other = await createFixture(await enterpriseUser("fuzz-other"), "Fuzz other");
  });

  it("answers every mutated request 2xx or 4xx in the documented shape, in time, writing nothing when it fails", async () => {
    const rng = prng(SEED);
    const foreign: ForeignIds = { workspaceId: other.workspaceId, promptId: other.promptId, documentId: other.documentId, executionId: other.executionId, keyId: other.keyId };
    const otherBefore = await print(other.workspaceId);
    const targets = [
      ...operations.filter((op) => op.callable).map((op) => ({ kind: "callable" as const, name: op.callable! })),
      ...restRoutes().map((r) => ({ kind: "rest" as const, method: r.method, template: r.path })),
    ];
    const byStatus: Record<number, number> = {};
    const problems: string[] = [];
    let maxMs = 0;
    let slowest = "";
    let slowRetries = 0;
    let platformRefusals = 0;
    let fixture: Fixture | undefined;
    let caller: TestUser | undefined;
    let key = "";
    let known: string | undefined;

    for (let i = 0; i < TOTAL; i++) {
      if (i % FIXTURE_EVERY === 0) {
        fixture = await createFixture(await enterpriseUser("fuzz-owner"), `Fuzz ${i}`);
        known = undefined;
      }
      const f = fixture!;
      if (i % ROTATE_EVERY === 0) {
        caller = await signUpTestUser("fuzz-caller");
        await testDb().doc(`users/${caller.uid}`).set({ plan: "enterprise" });
        await call("setMember", { workspaceId: f.workspaceId, uid: caller.uid, role: "admin" }, f.owner);
        key = (await call<{ secret: string }>("createApiKey", { workspaceId: f.workspaceId, name: `fuzz ${i}`, scopes: [...ALL_SCOPES] }, f.owner)).secret;
        known = undefined;
      }
      const t = targets[i % targets.length]!;
      let probe: Probe;
      if (t.kind === "callable") {
        const c = callables.find((x) => x.name === t.name);
        const write = c?.write ?? true;
        probe = callableProbe(t.name, write, c ? c.input(f) : { workspaceId: f.workspaceId }, rng, foreign, caller!.idToken);
      } else {
        const row = routeTable.find((r) => r.method === t.method && templateOf(r.path(PLACEHOLDERS)) === t.template);
        const path = row ? row.path(f) : t.template.replace("{workspaceId}", f.workspaceId).replace("{promptId}", f.promptId).replace("{documentId}", f.documentId).replace("{executionId}", f.executionId).replace("{ref}", "1").replace("{label}", "staging");
        probe = restProbe(t.method, path, row?.body, rng, foreign, key);
      }
      const checkWrite = probe.write;
      if (checkWrite && known === undefined) known = await print(f.workspaceId);
      let answer: Answer;
      try {
        answer = await probe.send();
        // The emulator starts a new worker process now and then (seconds): a slow answer is sent
        // again once, and only a repeat over the budget counts as the request's own cost.
        if (answer.ms > BUDGET_MS) {
          slowRetries++;
          answer = await probe.send();
        }
      } catch (error) {
        problems.push(`#${i} ${probe.target} [${probe.label}]: no answer (${String(error)})`);
        continue;
      }
      byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
      if (answer.ms > maxMs) [maxMs, slowest] = [answer.ms, `${probe.target} [${probe.label}]`];
      const shape = shapeProblem(t.kind, answer);
      if (shape && platformRefusal(t.kind, probe.label, answer)) platformRefusals++;
      else if (shape) problems.push(`#${i} ${probe.target} [${probe.label}]: ${shape}`);
      if (answer.ms > BUDGET_MS) problems.push(`#${i} ${probe.target} [${probe.label}]: ${answer.ms.toFixed(0)} ms (budget ${BUDGET_MS})`);
      if (checkWrite && answer.status >= 400) {
        const after = await print(f.workspaceId);
        if (after !== known) problems.push(`#${i} ${probe.target} [${probe.label}]: answered ${answer.status} but wrote to the workspace`);
        known = after;
      } else if (checkWrite) known = undefined;
    }

    if ((await print(other.workspaceId)) !== otherBefore) problems.push("the other workspace changed");
    const summary = { seed: SEED, requests: TOTAL, targets: targets.length, byStatus, maxLatencyMs: Math.round(maxMs), slowest, slowRetries, platformRefusals, problems: problems.length };
    console.log(`fuzz summary ${JSON.stringify(summary)}`);
    expect(problems.slice(0, 25)).toEqual([]);
  });
});
