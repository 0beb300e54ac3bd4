/**
 * The one interface every LLM provider implements. Executions and the knowledge base depend on
 * this type only; which provider runs is decided in the wiring (app/).
 */
export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

export type GenerateRequest = {
  model: string;
  messages: ChatMessage[];
  /** @default provider's own */
  maxOutputTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
};

/** USD per 1k tokens for one model. */
export type ModelPrice = { inputPer1k: number; outputPer1k: number };

export type TokenUsage = { inputTokens: number; outputTokens: number };

export type GenerateResult = {
  text: string;
  model: string;
  usage: TokenUsage;
  finishReason: "stop" | "length" | "error";
};

export type EmbedRequest = { model?: string; texts: string[]; signal?: AbortSignal };
export type EmbedResult = { model: string; dimensions: number; vectors: number[][]; usage: { inputTokens: number } };

export type LlmProvider = {
  /** Stable id stored on executions, e.g. `local` or `openai`. */
  readonly id: string;
  /** Default models for generation and embeddings. */
  readonly defaultModel: string;
  readonly embeddingModel: string;
  readonly embeddingDimensions: number;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /** Yields text deltas, then returns the same result `generate` would. */
  stream(request: GenerateRequest): AsyncGenerator<string, GenerateResult, void>;
  embed(request: EmbedRequest): Promise<EmbedResult>;
  /**
   * USD per 1k tokens, for the cost estimate on executions; undefined when the model has no price,
   * and then no run may ask for it (its spend could not be bounded).
   */
  pricing(model: string): ModelPrice | undefined;
};
