import type { AddressInfo } from "node:net";
import express from "express";
import type { CallableRequest, Request } from "firebase-functions/v2/https";
import { createApp } from "../../src/app/root";
import { executionOperations } from "../../src/executions/execution-operations";
import { manualClock } from "../../src/lib/clock";
import { rejectingChallengeVerifier, resolveRateLimitConfig, type Identity } from "../../src/lib/rate-limit";
import { createLocalProvider, LOCAL_PRICING } from "../../src/providers/local-provider";
import type { LlmProvider } from "../../src/providers/provider-types";
import { upstashClient } from "../rate-limit/redis-env";
import { testDb, uniqueUid, userPrincipal } from "../helpers/firestore";

/** Priced models of the test provider besides the local one (list prices of the built-in table). */
export const TEST_PRICING = {
  ...LOCAL_PRICING,
  "gpt-4o-mini": { inputPer1k: 0.00015, outputPer1k: 0.0006 },
  "gpt-4o": { inputPer1k: 0.0025, outputPer1k: 0.01 },
};

/**
 * The local provider answering for every priced model of TEST_PRICING. `verbose` reports as many
 * output tokens as the run allowed (a model that always writes to the cap), so a run settles at
 * its reservation; otherwise usage is the local provider's own (a small run).
 */
export function testProvider(options: { verbose?: boolean } = {}): LlmProvider & { calls: number } {
  const local = createLocalProvider();
  const provider = {
    ...local,
    calls: 0,
    async generate(request: Parameters<LlmProvider["generate"]>[0]) {
      provider.calls++;
      const result = await local.generate(request);
      return options.verbose ? { ...result, usage: { ...result.usage, outputTokens: request.maxOutputTokens ?? result.usage.outputTokens } } : result;
    },
    pricing: (model: string) => (Object.hasOwn(TEST_PRICING, model) ? TEST_PRICING[model as keyof typeof TEST_PRICING] : undefined),
  };
  return provider;
}

/**
 * The composition root on the local stack (real Firestore, real Redis behind the Upstash REST
 * endpoint, the default limits), its REST API served over HTTP and its callables invoked as the
 * Functions runtime would, so a run goes through the same guards, services and spend as deployed.
 */
export async function spendStack(options: { verbose?: boolean } = {}) {
  const clock = manualClock(Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 1e9));
  const provider = testProvider(options);
  const app = createApp({
    db: testDb(),
    redis: upstashClient(),
    bucket: () => {
      throw new Error("No Cloud Storage in these tests.");
    },
    provider: () => provider,
    clock,
    redisTimeoutMs: 2_000,
    signUploads: false,
    rateLimit: { config: resolveRateLimitConfig({ challenge: { violations: 0 }, redis: { timeoutMs: 2_000 } }), verifier: rejectingChallengeVerifier, trustedProxyHops: 1 },
    publisher: { publish: async () => "unused" },
  });
  const { services } = app;

  const router = app.restApi();
  const server = express();
  server.use(express.json({ limit: "1mb", verify: (req, _res, buf) => void ((req as unknown as Request).rawBody = buf) }));
  server.use((req, res) => void router(req as unknown as Request, res));
  const listening = await new Promise<ReturnType<typeof server.listen>>((resolve) => {
    const s = server.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;

  const runCallable = app.callable(executionOperations.runExecution);
  /** `runExecution` as a signed-in user calls it; resolves to the execution or the HttpsError. */
  const callRun = (uid: string, data: Record<string, unknown>) =>
    runCallable({ data, auth: { uid, token: { uid } }, rawRequest: { headers: {}, socket: { remoteAddress: "198.18.7.7" } } } as unknown as CallableRequest<unknown>).then(
      (execution) => ({ ok: true as const, execution: execution as { id: string; model: string; usage: { inputTokens: number; outputTokens: number } } }),
      (error: { code: string; message: string; details?: Record<string, unknown> }) => ({ ok: false as const, error }),
    );
  /** `POST /v1/workspaces/{w}/executions` with an API key; resolves to status and body. */
  const restRun = async (secret: string, workspaceId: string, body: Record<string, unknown>) => {
    const res = await fetch(`${url}/v1/workspaces/${workspaceId}/executions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as Record<string, unknown> };
  };

  /** A user with a plan, owning a fresh workspace with one prompt. */
  const owner = async (plan: "free" | "pro" = "free") => {
    const uid = uniqueUid(`spend-${plan}`);
    await testDb().doc(`users/${uid}`).set({ plan });
    return { uid, principal: userPrincipal(uid), ...(await workspaceOf(uid)) };
  };
  const workspaceOf = async (uid: string) => {
    const workspace = await services.workspaces.create(uid, { name: `spend ${uid}` });
    const { prompt } = await services.prompts.createPrompt(userPrincipal(uid), workspace.id, { name: "Short", template: "Answer briefly: what is {{topic}}?", variables: [{ name: "topic", type: "string", required: true }] });
    return { workspaceId: workspace.id, promptId: prompt.id };
  };
  const apiKey = async (uid: string, workspaceId: string) =>
    (await services.apiKeys.create(userPrincipal(uid), { workspaceId, name: "runner", scopes: ["executions:run", "executions:read"] })).secret;
  /** Cost units the identity has spent (the `spend` bucket) in the minute window. */
  const spentThisMinute = async (identity: Identity) => {
    const state = await app.rateLimitOperations?.getState({ ...identity, tier: identity.tier ?? "free" });
    return state?.usage.find((u) => u.bucket === "spend" && u.windowMs === 60_000)?.used;
  };

  return { app, services, clock, provider, callRun, restRun, owner, workspaceOf, apiKey, spentThisMinute, close: () => listening.close() };
}
