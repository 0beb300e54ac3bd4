import { executionsPath } from "../../src/executions/execution-types";
import { testDb, userPrincipal } from "../helpers/firestore";
import { upstashEnv } from "../rate-limit/redis-env";
import { executionCount } from "./execution-fixtures";
import { spendStack } from "./spend-stack";

beforeAll(() => upstashEnv());

const topic = { topic: "compost" };

// The free tier's `execute` budget is 10 units a minute; a run asking for 4096 output tokens
// reserves 5 (1 unit per 1,000 tokens of prompt plus requested output), so 2 such runs a minute.

describe("spend is charged to the workspace owner's account", () => {
  let stack: Awaited<ReturnType<typeof spendStack>>;
  beforeAll(async () => (stack = await spendStack({ verbose: true })));
  afterAll(() => stack.close());

  it("a free owner with 3 API keys in 2 workspaces, and their own callable, gets 2 full runs a minute in all", async () => {
    const a = await stack.owner("free");
    const b = await stack.workspaceOf(a.uid);
    const keys = [
      { secret: await stack.apiKey(a.uid, a.workspaceId), ...a },
      { secret: await stack.apiKey(a.uid, a.workspaceId), ...a },
      { secret: await stack.apiKey(a.uid, b.workspaceId), ...b },
    ];

    const statuses: number[] = [];
    const retryAfters: Array<string | null> = [];
    for (let round = 0; round < 3; round++) {
      for (const key of keys) {
        const run = await stack.restRun(key.secret, key.workspaceId, { promptId: key.promptId, variables: topic, maxOutputTokens: 4096 });
        statuses.push(run.status);
        if (run.status === 429) retryAfters.push(run.retryAfter);
      }
    }
    const byCallable = await stack.callRun(a.uid, { workspaceId: b.workspaceId, promptId: b.promptId, variables: topic, maxOutputTokens: 4096 });

    expect(statuses.filter((s) => s === 201)).toHaveLength(2);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    // A refused reservation says when the budget frees, as the guard's own 429s do.
    expect(retryAfters.every((value) => Number(value) >= 1)).toBe(true);
    expect(byCallable).toMatchObject({ ok: false, error: { code: "resource-exhausted" } });
    expect(await stack.spentThisMinute({ kind: "user", id: a.uid })).toBe(10);
    expect((await executionCount(testDb(), a.workspaceId)) + (await executionCount(testDb(), b.workspaceId))).toBe(2);

    stack.clock.advance(60_000);
    expect((await stack.restRun(keys[2]?.secret ?? "", b.workspaceId, { promptId: b.promptId, variables: topic, maxOutputTokens: 4096 })).status).toBe(201);
  });

  it("a member's runs spend the owner's budget, not the member's own", async () => {
    const owner = await stack.owner("free");
    const member = await stack.owner("pro");
    await stack.services.workspaces.setMember(owner.principal, { workspaceId: owner.workspaceId, uid: member.uid, role: "editor" });
    const run = (uid: string) => stack.callRun(uid, { workspaceId: owner.workspaceId, promptId: owner.promptId, variables: topic, maxOutputTokens: 4096 });

    expect((await run(member.uid)).ok).toBe(true);
    expect((await run(member.uid)).ok).toBe(true);
    expect(await run(member.uid)).toMatchObject({ ok: false, error: { code: "resource-exhausted", details: { reason: "rate_limited" } } });
    expect(await run(owner.uid)).toMatchObject({ ok: false, error: { code: "resource-exhausted" } });
    // The member's own pro budget still runs their own workspace.
    expect((await stack.callRun(member.uid, { workspaceId: member.workspaceId, promptId: member.promptId, variables: topic, maxOutputTokens: 4096 })).ok).toBe(true);
    expect(await stack.spentThisMinute({ kind: "user", id: owner.uid })).toBe(10);
  });

  it("refuses a reservation larger than what is left, and admits one that fits", async () => {
    const owner = await stack.owner("free");
    const run = (maxOutputTokens: number) => stack.callRun(owner.uid, { workspaceId: owner.workspaceId, promptId: owner.promptId, variables: topic, maxOutputTokens });
    expect((await run(4096)).ok).toBe(true);
    expect((await run(1000)).ok).toBe(true);
    expect(await stack.spentThisMinute({ kind: "user", id: owner.uid })).toBe(7);

    const before = await executionCount(testDb(), owner.workspaceId);
    const calls = stack.provider.calls;
    const refused = await run(4096);
    expect(refused).toMatchObject({ ok: false, error: { code: "resource-exhausted", details: { reason: "rate_limited", retryAfter: expect.any(Number) } } });
    expect(stack.provider.calls).toBe(calls);
    expect(await executionCount(testDb(), owner.workspaceId)).toBe(before);

    expect((await run(2000)).ok).toBe(true);
    expect(await stack.spentThisMinute({ kind: "user", id: owner.uid })).toBe(10);
  });
});

describe("settlement at the actual usage", () => {
  let stack: Awaited<ReturnType<typeof spendStack>>;
  beforeAll(async () => (stack = await spendStack()));
  afterAll(() => stack.close());

  it("a small run leaves more budget than its reservation: three 5-unit reservations fit in a 10-unit minute", async () => {
    const owner = await stack.owner("free");
    for (let i = 0; i < 3; i++) {
      const result = await stack.callRun(owner.uid, { workspaceId: owner.workspaceId, promptId: owner.promptId, variables: topic, maxOutputTokens: 4096 });
      expect(result).toMatchObject({ ok: true });
      if (result.ok) expect(result.execution.usage.inputTokens + result.execution.usage.outputTokens).toBeLessThan(1000);
    }
    expect(await stack.spentThisMinute({ kind: "user", id: owner.uid })).toBe(3);
  });
});

describe("models: priced, and allowed by the payer's plan", () => {
  let stack: Awaited<ReturnType<typeof spendStack>>;
  beforeAll(async () => (stack = await spendStack()));
  afterAll(() => stack.close());

  it("refuses an unpriced model, naming it, before the provider is called or anything is written or spent", async () => {
    const owner = await stack.owner("pro");
    const calls = stack.provider.calls;
    const refused = await stack.callRun(owner.uid, { workspaceId: owner.workspaceId, promptId: owner.promptId, variables: topic, model: "gpt-free-lunch" });
    expect(refused).toMatchObject({ ok: false, error: { code: "invalid-argument", message: expect.stringContaining("gpt-free-lunch"), details: { issues: [{ path: "model" }] } } });
    expect(stack.provider.calls).toBe(calls);
    expect((await testDb().collection(executionsPath(owner.workspaceId)).get()).size).toBe(0);
    expect((await testDb().collection("events").where("workspaceId", "==", owner.workspaceId).where("type", "in", ["execution.completed", "execution.failed"]).get()).size).toBe(0);
    expect(await stack.spentThisMinute({ kind: "user", id: owner.uid })).toBe(0);
  });

  it("refuses a version whose saved model has no price", async () => {
    const owner = await stack.owner("pro");
    const { prompt } = await stack.services.prompts.createPrompt(userPrincipal(owner.uid), owner.workspaceId, { name: "Saved model", template: "Hello", variables: [], model: "mystery-model" });
    const refused = await stack.callRun(owner.uid, { workspaceId: owner.workspaceId, promptId: prompt.id, variables: {} });
    expect(refused).toMatchObject({ ok: false, error: { code: "invalid-argument", message: expect.stringContaining("mystery-model") } });
    expect(await executionCount(testDb(), owner.workspaceId)).toBe(0);
  });

  it("free runs the local model and gpt-4o-mini, not gpt-4o; pro runs gpt-4o; over REST too", async () => {
    const free = await stack.owner("free");
    const run = (uid: string, ws: { workspaceId: string; promptId: string }, model: string) =>
      stack.callRun(uid, { workspaceId: ws.workspaceId, promptId: ws.promptId, variables: topic, model, maxOutputTokens: 100 });

    expect(await run(free.uid, free, "gpt-4o")).toMatchObject({ ok: false, error: { code: "failed-precondition", details: { reason: "model-not-allowed", model: "gpt-4o", plan: "free" } } });
    expect(await run(free.uid, free, "gpt-4o-mini")).toMatchObject({ ok: true, execution: { model: "gpt-4o-mini" } });
    expect(await run(free.uid, free, "local-extractive-1")).toMatchObject({ ok: true });
    const key = await stack.apiKey(free.uid, free.workspaceId);
    expect(await stack.restRun(key, free.workspaceId, { promptId: free.promptId, variables: topic, model: "gpt-4o" })).toMatchObject({ status: 412, body: { error: { details: { reason: "model-not-allowed" } } } });
    expect(await executionCount(testDb(), free.workspaceId)).toBe(2);

    const pro = await stack.owner("pro");
    expect(await run(pro.uid, pro, "gpt-4o")).toMatchObject({ ok: true, execution: { model: "gpt-4o" } });
  });
});
