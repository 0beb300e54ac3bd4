import type { Firestore } from "firebase-admin/firestore";
import { createSpend } from "../../src/app/spend";
import type { ModelAllowlist } from "../../src/executions/model-allowlist";
import { createPayerResolver } from "../../src/identity/payer";
import type { ReadThroughCache } from "../../src/lib/cache";
import { createRateLimiter, resolveRateLimitConfig } from "../../src/lib/rate-limit";
import { EVENTS, type DomainEvent } from "../../src/events/domain-events";
import { readDomainEvent } from "../../src/events/outbox";
import { createExecutionService } from "../../src/executions/execution-service";
import { staticKeyRing } from "../../src/lib/secrets";
import { createFieldCipher } from "../../src/secrets/field-cipher";
import { createFieldSealer } from "../../src/secrets/sealed-fields";
import { executionsPath } from "../../src/executions/execution-types";
import type { Principal } from "../../src/identity/principal";
import type { ApiKeyScope } from "../../src/identity/permissions";
import { manualClock } from "../../src/lib/clock";
import { createPromptService } from "../../src/prompts/prompt-service";
import { withRawContent } from "../helpers/prompt-content";
import { renderTemplate } from "../../src/prompts/render";
import { createLocalProvider } from "../../src/providers/local-provider";
import type { LlmProvider } from "../../src/providers/provider-types";
import { freshWorkspace } from "../helpers/firestore";
import { knowledgeService } from "../knowledge/knowledge-fixtures";

/** Simulated provider latency, so stored `latencyMs` is checkable. */
export const PROVIDER_LATENCY_MS = 1234;

/**
 * The local provider with a price list and a latency that moves the test clock, so cost and
 * latency on the stored execution can be checked exactly.
 */
export function pricedLocalProvider(clock: { advance(ms: number): void }): LlmProvider {
  const local = createLocalProvider();
  return {
    ...local,
    id: "local-priced",
    async generate(request) {
      clock.advance(PROVIDER_LATENCY_MS);
      return local.generate(request);
    },
    async *stream(request) {
      clock.advance(PROVIDER_LATENCY_MS);
      return yield* local.stream(request);
    },
    pricing: () => ({ inputPer1k: 0.5, outputPer1k: 1.5 }),
  };
}

/**
 * Spend through the real wiring (payer lookup, limiter) with a budget these tests never reach, in
 * memory: they are about runs; test/executions/execution-spend.test.ts is about budgets, on Redis.
 */
export function roomySpend(db: Firestore, cache: ReadThroughCache, clock: ReturnType<typeof manualClock>) {
  const config = resolveRateLimitConfig({ tiers: { free: [{ limit: 1_000_000, windowMs: 60_000 }] } });
  return createSpend({ limiter: createRateLimiter({ config, store: null, clock }), payerOf: createPayerResolver({ db, cache }) });
}

/** Every model with a price, on every plan: plans are tested in execution-spend.test.ts. */
export const EVERY_PRICED_MODEL: ModelAllowlist = { free: "*", pro: "*", enterprise: "*" };

/** A fresh workspace with the real prompt and knowledge services and an execution service over them. */
export async function executionSetup(options: { provider?: (clock: ReturnType<typeof manualClock>) => LlmProvider } = {}) {
  const ws = await freshWorkspace("exec");
  const clock = manualClock(Date.now());
  const prompts = withRawContent(createPromptService({ db: ws.db, clock, access: ws.access, cache: ws.cache }));
  const knowledge = knowledgeService({ db: ws.db, access: ws.access });
  const provider = (options.provider ?? pricedLocalProvider)(clock);
  // Runs are stored with their personal data sealed, as in production (a fixed key instead of Secret Manager's).
  const fields = createFieldSealer(createFieldCipher({ keys: staticKeyRing("execution-fixtures-field-key", "field-encryption-kek") }));
  const executions = createExecutionService({ db: ws.db, clock, access: ws.access, provider: () => provider, prompts: { resolveVersion: prompts.resolveVersion, render: renderTemplate }, retriever: knowledge, spend: roomySpend(ws.db, ws.cache, clock), models: EVERY_PRICED_MODEL, fields });
  const apiKey = (scopes: ApiKeyScope[], workspaceId = ws.workspaceId): Principal => ({ kind: "apiKey", keyId: `key-${workspaceId}`, workspaceId, scopes, createdBy: ws.ownerUid });
  return { ...ws, clock, prompts, knowledge, provider, executions, apiKey, fields };
}

/** Outbox events about one execution, read through the outbox schema (so stored events must match it). */
export async function eventsFor(db: Firestore, executionId: string): Promise<DomainEvent[]> {
  const snap = await db.collection(EVENTS).where("subject", "==", `executions/${executionId}`).get();
  return snap.docs.flatMap((d) => readDomainEvent(d) ?? []);
}

export async function executionCount(db: Firestore, workspaceId: string): Promise<number> {
  return (await db.collection(executionsPath(workspaceId)).count().get()).data().count;
}

export const QUESTION_PROMPT = {
  name: "Gardening question",
  template: "Question about {{topic}}: {{question}}",
  systemTemplate: "You are a careful gardening assistant. Answer in {{lang}}.",
  variables: [
    { name: "topic", type: "string" as const, required: true },
    { name: "question", type: "string" as const, required: true },
    { name: "lang", type: "enum" as const, allowedValues: ["English", "French"], default: "English" },
  ],
};
