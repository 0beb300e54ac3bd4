import { defineSecret, defineString } from "firebase-functions/params";
import { z } from "zod";
import { secretValue } from "../lib/config";
import { LOCAL_EMBEDDING_DIMENSIONS } from "./local-embedding";
import { createOpenAiCompatibleProvider, type ModelPrice } from "./openai-compatible-provider";
import type { FetchLike } from "./openai-http";
import type { LlmProvider } from "./provider-types";

export const LLM_PROVIDERS = ["local", "openai-compatible"] as const;
export type LlmProviderName = (typeof LLM_PROVIDERS)[number];

/**
 * Deploy-time settings of the LLM provider. The key is a Secret Manager secret, bound only to the
 * functions that call the provider (see `llmSecrets`); everything else is a plain param.
 */
export const llmParams = {
  provider: defineString("LLM_PROVIDER", {
    default: "local",
    description: "Which LLM provider runs executions and embeddings: local (deterministic, no network) or openai-compatible.",
    input: { select: { options: LLM_PROVIDERS.map((value) => ({ value })) } },
  }),
  baseUrl: defineString("OPENAI_BASE_URL", {
    default: "https://api.openai.com/v1",
    description: "Base URL of the OpenAI-compatible API (OpenAI, an Azure OpenAI deployment, vLLM, Ollama's /v1).",
  }),
  model: defineString("OPENAI_MODEL", { default: "gpt-4o-mini", description: "Default chat model (or Azure deployment) for executions." }),
  embeddingModel: defineString("OPENAI_EMBEDDING_MODEL", {
    default: "text-embedding-3-small",
    description: `Embedding model; must return ${LOCAL_EMBEDDING_DIMENSIONS}-dimensional vectors (sent as 'dimensions'), the size of the vector index.`,
  }),
  apiVersion: defineString("OPENAI_API_VERSION", { default: "", description: "Azure OpenAI api-version query parameter; empty for other servers." }),
  authHeader: defineString("OPENAI_AUTH_HEADER", {
    default: "authorization",
    description: "How the key is sent: authorization (Bearer, OpenAI/vLLM) or api-key (Azure OpenAI).",
    input: { select: { options: [{ value: "authorization" }, { value: "api-key" }] } },
  }),
  pricingJson: defineString("OPENAI_PRICING_JSON", {
    default: "",
    description: 'USD per 1k tokens by model, e.g. {"gpt-4o-mini":{"inputPer1k":0.00015,"outputPer1k":0.0006}}; empty uses the built-in table.',
  }),
  apiKey: defineSecret("OPENAI_API_KEY"),
};

/** Secrets to bind on every function that may call the provider (executions, ingestion, search). */
export const llmSecrets = [llmParams.apiKey];

/** List prices at the time of writing; an estimate only, overridable with OPENAI_PRICING_JSON. */
export const DEFAULT_PRICING: Readonly<Record<string, ModelPrice>> = {
  "gpt-4o-mini": { inputPer1k: 0.00015, outputPer1k: 0.0006 },
  "gpt-4o": { inputPer1k: 0.0025, outputPer1k: 0.01 },
  "gpt-4.1-mini": { inputPer1k: 0.0004, outputPer1k: 0.0016 },
  "gpt-4.1": { inputPer1k: 0.002, outputPer1k: 0.008 },
  "text-embedding-3-small": { inputPer1k: 0.00002, outputPer1k: 0 },
};

const pricingSchema = z.record(z.string().min(1), z.strictObject({ inputPer1k: z.number().nonnegative(), outputPer1k: z.number().nonnegative() }));

/** Parses OPENAI_PRICING_JSON, failing fast with the setting's name. */
export function parsePricing(json: string): Record<string, ModelPrice> {
  if (!json.trim()) return { ...DEFAULT_PRICING };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error("Invalid OPENAI_PRICING_JSON: not JSON");
  }
  const parsed = pricingSchema.safeParse(value);
  if (!parsed.success) throw new Error(`Invalid OPENAI_PRICING_JSON: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The configured provider; unset (as in tests outside the Functions runtime) means `local`. */
export function llmProviderName(raw: string = llmParams.provider.value()): LlmProviderName {
  const value = raw.trim() || "local";
  if ((LLM_PROVIDERS as readonly string[]).includes(value)) return value as LlmProviderName;
  throw new Error(`Invalid LLM_PROVIDER '${value}': use one of ${LLM_PROVIDERS.join(", ")}`);
}

/** The OpenAI-compatible provider configured from params; called once, by the wiring. */
export function openAiCompatibleProviderFromParams(fetchImpl?: FetchLike): LlmProvider {
  const authHeader = llmParams.authHeader.value();
  return createOpenAiCompatibleProvider({
    baseUrl: llmParams.baseUrl.value(),
    apiKey: secretValue(llmParams.apiKey),
    authHeader: authHeader === "api-key" ? "api-key" : "authorization",
    apiVersion: llmParams.apiVersion.value() || undefined,
    defaultModel: llmParams.model.value(),
    embeddingModel: llmParams.embeddingModel.value(),
    embeddingDimensions: LOCAL_EMBEDDING_DIMENSIONS,
    pricing: parsePricing(llmParams.pricingJson.value()),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

/** Picks the provider named by LLM_PROVIDER; `local` builds the default one. */
export function selectLlmProvider(local: () => LlmProvider, name: LlmProviderName = llmProviderName()): LlmProvider {
  return name === "openai-compatible" ? openAiCompatibleProviderFromParams() : local();
}
