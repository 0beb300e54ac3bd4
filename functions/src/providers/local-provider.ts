import { cosineSimilarity, embedText, LOCAL_EMBEDDING_DIMENSIONS, LOCAL_EMBEDDING_MODEL } from "./local-embedding";
import { estimateTokens, sentences } from "./local-text";
import type { ChatMessage, EmbedRequest, EmbedResult, GenerateRequest, GenerateResult, LlmProvider, ModelPrice } from "./provider-types";

export const LOCAL_PROVIDER_ID = "local";
export const LOCAL_GENERATION_MODEL = "local-extractive-1";

/** The local provider's price table: its one generation model, free (nothing leaves the process). */
export const LOCAL_PRICING: Readonly<Record<string, ModelPrice>> = { [LOCAL_GENERATION_MODEL]: { inputPer1k: 0, outputPer1k: 0 } };

/** Every answer of the local provider starts with this, so nobody mistakes it for a model's. */
export const LOCAL_ANSWER_LABEL = "[local provider] Composed offline by the deterministic local provider; no language model was called.";

/** Sentences quoted in an answer, and the longest quoted sentence. */
const SUMMARY_SENTENCES = 3;
const MAX_SENTENCE_CHARS = 400;
/** Tokens each message costs beyond its text (role and separators), as chat APIs count. */
const MESSAGE_OVERHEAD_TOKENS = 4;

/**
 * The provider that runs with no network, the default in the emulator and in tests. Embeddings
 * are real hashed-feature embeddings (see `local-embedding.ts`), so retrieval is meaningful.
 * Generation is an extractive summary of the prompt: the sentences closest to the question (the
 * last sentence ending in `?`) or, without one, to the whole prompt, in their original order.
 * Same input, same output, always; its one model is priced at zero, any other is unpriced.
 */
export function createLocalProvider(): LlmProvider {
  const generate = async (request: GenerateRequest): Promise<GenerateResult> => {
    throwIfAborted(request.signal);
    return composeAnswer(request);
  };

  return {
    id: LOCAL_PROVIDER_ID,
    defaultModel: LOCAL_GENERATION_MODEL,
    embeddingModel: LOCAL_EMBEDDING_MODEL,
    embeddingDimensions: LOCAL_EMBEDDING_DIMENSIONS,
    generate,
    async *stream(request: GenerateRequest): AsyncGenerator<string, GenerateResult, void> {
      const result = await generate(request);
      for (const delta of result.text.match(/\S+\s*|\s+/g) ?? []) {
        throwIfAborted(request.signal);
        yield delta;
      }
      return result;
    },
    async embed(request: EmbedRequest): Promise<EmbedResult> {
      throwIfAborted(request.signal);
      return {
        model: LOCAL_EMBEDDING_MODEL,
        dimensions: LOCAL_EMBEDDING_DIMENSIONS,
        vectors: request.texts.map((text) => embedText(text)),
        usage: { inputTokens: request.texts.reduce((sum, text) => sum + estimateTokens(text), 0) },
      };
    },
    pricing: (model) => (Object.hasOwn(LOCAL_PRICING, model) ? LOCAL_PRICING[model] : undefined),
  };
}

function composeAnswer(request: GenerateRequest): GenerateResult {
  const prompt = request.messages.map((m) => m.content).join("\n\n");
  const inputTokens = countInputTokens(request.messages);
  const all = sentences(prompt);
  const question = [...all].reverse().find((s) => s.endsWith("?"));
  const focus = embedText(question ?? prompt);
  const picked = all
    .map((text, position) => ({ text, position, score: text === question ? -1 : cosineSimilarity(focus, embedText(text)) }))
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.position - b.position)
    .slice(0, SUMMARY_SENTENCES)
    .sort((a, b) => a.position - b.position)
    .map((s) => `- ${clip(s.text)}`);

  const heading = question ? `Most relevant passages for: "${clip(question)}"` : "Extractive summary of the prompt:";
  const body = picked.length > 0 ? picked.join("\n") : "- (the prompt has no text to summarise)";
  let text = `${LOCAL_ANSWER_LABEL}\n\n${heading}\n${body}`;
  let finishReason: GenerateResult["finishReason"] = "stop";
  if (request.maxOutputTokens !== undefined && estimateTokens(text) > request.maxOutputTokens) {
    text = cutAtWord(text, request.maxOutputTokens * 4);
    finishReason = "length";
  }
  return {
    text,
    model: request.model || LOCAL_GENERATION_MODEL,
    usage: { inputTokens, outputTokens: estimateTokens(text) },
    finishReason,
  };
}

function countInputTokens(messages: ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + MESSAGE_OVERHEAD_TOKENS + estimateTokens(m.content), 0);
}

function clip(text: string): string {
  return text.length <= MAX_SENTENCE_CHARS ? text : `${cutAtWord(text, MAX_SENTENCE_CHARS - 1)}…`;
}

function cutAtWord(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  const space = cut.search(/\s\S*$/);
  return (space > 0 ? cut.slice(0, space) : cut).trimEnd();
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("The request was aborted.");
}
