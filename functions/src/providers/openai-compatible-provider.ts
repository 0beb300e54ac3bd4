import { z } from "zod";
import { UnavailableError } from "../lib/errors";
import { createOpenAiHttp, malformedResponse, type OpenAiHttpConfig } from "./openai-http";
import { chatCompletionDeltas, sseEvents } from "./openai-sse";
import type { ChatMessage, EmbedRequest, EmbedResult, GenerateRequest, GenerateResult, LlmProvider, ModelPrice, TokenUsage } from "./provider-types";

export type { ModelPrice } from "./provider-types";

export type OpenAiCompatibleConfig = Omit<OpenAiHttpConfig, "providerId"> & {
  /** Stored on executions. @default "openai-compatible" */
  id?: string;
  defaultModel: string;
  embeddingModel: string;
  /** Length of the vectors the knowledge base's vector index expects. */
  embeddingDimensions: number;
  /** Send `dimensions` with embedding requests (OpenAI text-embedding-3 models accept it). @default true */
  sendEmbeddingDimensions?: boolean;
  /** Ask streams for a final usage frame (`stream_options.include_usage`). @default true */
  streamUsage?: boolean;
  /** Prices by model; a model missing here cannot be run. */
  pricing?: Readonly<Record<string, ModelPrice>>;
  /** Texts per embeddings request. @default 64 */
  embeddingBatchSize?: number;
};

const usageSchema = z.object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative().optional() }).loose();

const completionSchema = z
  .object({
    model: z.string().optional(),
    choices: z
      .array(z.object({ message: z.object({ content: z.string().nullish() }).loose(), finish_reason: z.string().nullish() }).loose())
      .min(1),
    usage: usageSchema.nullish(),
  })
  .loose();

const embeddingsSchema = z
  .object({
    model: z.string().optional(),
    data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) }).loose()),
    usage: usageSchema.nullish(),
  })
  .loose();

/**
 * An `LlmProvider` over the OpenAI HTTP API (`/chat/completions`, `/embeddings`), which OpenAI,
 * Azure OpenAI deployments, vLLM, Ollama and many gateways speak. Only the base URL, auth header
 * style, api-version and model names differ between them.
 */
export function createOpenAiCompatibleProvider(config: OpenAiCompatibleConfig): LlmProvider {
  const id = config.id ?? "openai-compatible";
  const http = createOpenAiHttp({ ...config, providerId: id });
  const batchSize = config.embeddingBatchSize ?? 64;

  const chatBody = (request: GenerateRequest, stream: boolean) => ({
    model: request.model || config.defaultModel,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    ...(request.maxOutputTokens !== undefined ? { max_tokens: request.maxOutputTokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(stream ? { stream: true, ...(config.streamUsage === false ? {} : { stream_options: { include_usage: true } }) } : {}),
  });

  return {
    id,
    defaultModel: config.defaultModel,
    embeddingModel: config.embeddingModel,
    embeddingDimensions: config.embeddingDimensions,

    async generate(request) {
      const completion = await http.postJson("/chat/completions", chatBody(request, false), completionSchema, request.signal);
      const choice = completion.choices[0];
      const text = choice?.message.content ?? "";
      return {
        text,
        model: completion.model ?? chatBody(request, false).model,
        usage: usageOf(completion.usage, request.messages, text),
        finishReason: finishReasonOf(choice?.finish_reason),
      };
    },

    async *stream(request) {
      const body = chatBody(request, true);
      const deltas = chatCompletionDeltas(sseEvents(http.postStream("/chat/completions", body, request.signal)));
      let text = "";
      let step = await deltas.next();
      while (!step.done) {
        text += step.value;
        yield step.value;
        step = await deltas.next();
      }
      const summary = step.value;
      const usage = summary.usage ? { prompt_tokens: summary.usage.inputTokens, completion_tokens: summary.usage.outputTokens } : undefined;
      return {
        text,
        model: summary.model ?? body.model,
        usage: usageOf(usage, request.messages, text),
        finishReason: finishReasonOf(summary.finishReason),
      } satisfies GenerateResult;
    },

    async embed(request: EmbedRequest): Promise<EmbedResult> {
      const model = request.model || config.embeddingModel;
      const vectors: number[][] = [];
      let inputTokens = 0;
      for (let start = 0; start < request.texts.length; start += batchSize) {
        const input = request.texts.slice(start, start + batchSize);
        const embeddings = await http.postJson(
          "/embeddings",
          { model, input, ...(config.sendEmbeddingDimensions === false ? {} : { dimensions: config.embeddingDimensions }) },
          embeddingsSchema,
          request.signal,
        );
        if (embeddings.data.length !== input.length) throw malformedResponse();
        const ordered = [...embeddings.data].sort((a, b) => a.index - b.index);
        for (const item of ordered) {
          if (item.embedding.length !== config.embeddingDimensions) {
            throw new UnavailableError(`The embedding model returned ${item.embedding.length} dimensions; ${config.embeddingDimensions} are configured.`, { reason: "provider-dimension-mismatch" });
          }
          vectors.push(item.embedding);
        }
        inputTokens += embeddings.usage?.prompt_tokens ?? 0;
      }
      return { model, dimensions: config.embeddingDimensions, vectors, usage: { inputTokens } };
    },

    pricing(model) {
      return Object.hasOwn(config.pricing ?? {}, model) ? config.pricing?.[model] : undefined;
    },
  };
}

/** Usage as reported, or estimated (about four characters a token) when the server sent none. */
function usageOf(usage: z.infer<typeof usageSchema> | null | undefined, messages: ChatMessage[], output: string): TokenUsage {
  if (usage) return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens ?? 0 };
  const inputChars = messages.reduce((sum, m) => sum + m.content.length, 0);
  return { inputTokens: Math.ceil(inputChars / 4), outputTokens: Math.ceil(output.length / 4) };
}

/** `length` when cut by the token limit, `error` when a content filter stopped it, else `stop`. */
function finishReasonOf(reason: string | null | undefined): GenerateResult["finishReason"] {
  if (reason === "length") return "length";
  return reason === "content_filter" ? "error" : "stop";
}
