import { createOpenAiCompatibleProvider, type OpenAiCompatibleConfig } from "../../src/providers/openai-compatible-provider";
import type { GenerateRequest, LlmProvider } from "../../src/providers/provider-types";
import { fakeEmbedding, startFakeOpenAiServer, type FakeOpenAiServer } from "./fake-openai-server";

const messages: GenerateRequest["messages"] = [
  { role: "system", content: "Answer briefly." },
  { role: "user", content: "What is the capital of France?" },
];

let server: FakeOpenAiServer;
let sleeps: number[];

beforeEach(async () => {
  server = await startFakeOpenAiServer();
  sleeps = [];
});
afterEach(() => server.close());

function provider(overrides: Partial<OpenAiCompatibleConfig> = {}): LlmProvider {
  return createOpenAiCompatibleProvider({
    baseUrl: server.baseUrl,
    apiKey: "sk-test-0123456789abcdefghij",
    defaultModel: "gpt-test",
    embeddingModel: "embed-test",
    embeddingDimensions: 8,
    timeoutMs: 2_000,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    pricing: { "gpt-test": { inputPer1k: 0.5, outputPer1k: 1.5 } },
    ...overrides,
  });
}

async function drain(stream: AsyncGenerator<string, unknown, void>): Promise<{ deltas: string[]; result: unknown }> {
  const deltas: string[] = [];
  for (;;) {
    const step = await stream.next();
    if (step.done) return { deltas, result: step.value };
    deltas.push(step.value);
  }
}

describe("OpenAI-compatible provider: chat completions", () => {
  it("sends the model, messages and limits with a bearer key, and returns text, usage and model", async () => {
    const result = await provider().generate({ model: "gpt-test", messages, maxOutputTokens: 100, temperature: 0.2 });

    expect(result).toEqual({ text: "Paris is the capital of France [1].", model: "gpt-test-2024", usage: { inputTokens: 12, outputTokens: 9 }, finishReason: "stop" });
    const sent = server.requests[0];
    expect(sent?.path).toBe("/v1/chat/completions");
    expect(sent?.headers.authorization).toBe("Bearer sk-test-0123456789abcdefghij");
    expect(sent?.body).toEqual({ model: "gpt-test", messages, max_tokens: 100, temperature: 0.2 });
  });

  it("speaks to Azure-style deployments with an api-key header and an api-version query", async () => {
    server.requireKey("azure-key");
    await provider({ apiKey: "azure-key", authHeader: "api-key", apiVersion: "2024-10-21" }).generate({ model: "", messages });

    const sent = server.requests[0];
    expect(sent?.query.get("api-version")).toBe("2024-10-21");
    expect(sent?.headers["api-key"]).toBe("azure-key");
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.body.model).toBe("gpt-test");
  });

  it("sends no credentials to servers configured without a key (vLLM, Ollama)", async () => {
    await provider({ apiKey: "" }).generate({ model: "llama3", messages });

    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("streams deltas whose concatenation equals the returned text, with usage from the final frame", async () => {
    const { deltas, result } = await drain(provider().stream({ model: "gpt-test", messages }));

    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join("")).toBe("Paris is the capital of France [1].");
    expect(result).toEqual({ text: deltas.join(""), model: "gpt-test-2024", usage: { inputTokens: 12, outputTokens: 9 }, finishReason: "stop" });
    expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("estimates usage when a stream carries none", async () => {
    const { result } = await drain(provider({ streamUsage: false }).stream({ model: "gpt-test", messages }));

    expect(result).toMatchObject({ usage: { inputTokens: 12, outputTokens: 9 } });
    expect(server.requests[0]?.body.stream_options).toBeUndefined();
  });

  it("keeps multi-byte characters intact across arbitrary network slices", async () => {
    server.setReply("Zürich → 東京 🚄 done");
    const { deltas } = await drain(provider().stream({ model: "gpt-test", messages }));

    expect(deltas.join("")).toBe("Zürich → 东京 🚄 done".replace("东", "東"));
  });

  it("prices known models and leaves unknown ones unpriced (runs refuse them)", () => {
    expect(provider().pricing("gpt-test")).toEqual({ inputPer1k: 0.5, outputPer1k: 1.5 });
    expect(provider().pricing("other")).toBeUndefined();
    expect(provider().pricing("constructor")).toBeUndefined();
  });
});

describe("OpenAI-compatible provider: embeddings", () => {
  it("embeds in batches, restores input order and sums usage", async () => {
    const texts = ["alpha", "beta", "gamma", "delta", "epsilon"];
    const result = await provider({ embeddingBatchSize: 2 }).embed({ texts });

    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]?.body).toEqual({ model: "embed-test", input: ["alpha", "beta"], dimensions: 8 });
    expect(result.vectors).toEqual(texts.map((t) => fakeEmbedding(t, 8)));
    expect(result).toMatchObject({ model: "embed-test", dimensions: 8, usage: { inputTokens: 9 } });
  });

  it("refuses vectors of another dimension than configured", async () => {
    await expect(provider({ sendEmbeddingDimensions: false }).embed({ texts: ["x"] }).then(() => "ok")).resolves.toBe("ok");
    await expect(provider({ embeddingDimensions: 16, sendEmbeddingDimensions: false }).embed({ texts: ["x"] })).rejects.toMatchObject({
      code: "unavailable",
      details: { reason: "provider-dimension-mismatch" },
    });
  });
});

describe("OpenAI-compatible provider: failures", () => {
  it("maps 401 to a configuration error without retrying and without the key in the error", async () => {
    server.requireKey("the-right-key");
    const error = await provider().generate({ model: "gpt-test", messages }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: "failed-precondition", details: { reason: "provider-auth", providerStatus: 401 } });
    expect(JSON.stringify(error) + String(error)).not.toContain("sk-test");
    expect(server.requests).toHaveLength(1);
  });

  it("retries a 429 after its Retry-After, then succeeds", async () => {
    server.script({ kind: "status", status: 429, headers: { "Retry-After": "2" } });
    const result = await provider().generate({ model: "gpt-test", messages });

    expect(result.text).toContain("Paris");
    expect(sleeps).toEqual([2000]);
    expect(server.requests).toHaveLength(2);
  });

  it("gives up on 429 as unavailable when Retry-After exceeds the longest wait", async () => {
    server.script({ kind: "status", status: 429, headers: { "Retry-After": "120" } });

    await expect(provider().generate({ model: "gpt-test", messages })).rejects.toMatchObject({
      code: "unavailable",
      details: { reason: "provider-rate-limited", retryAfterSeconds: 120 },
    });
    expect(sleeps).toEqual([]);
  });

  it("retries 5xx with exponential backoff, bounded by maxRetries", async () => {
    server.script({ kind: "status", status: 500 }, { kind: "status", status: 502 }, { kind: "status", status: 503 }, { kind: "status", status: 500 });

    await expect(provider({ maxRetries: 3, baseDelayMs: 100 }).generate({ model: "gpt-test", messages })).rejects.toMatchObject({
      code: "unavailable",
      details: { reason: "provider-unavailable", providerStatus: 500 },
    });
    expect(sleeps).toEqual([75, 150, 300]);
    expect(server.requests).toHaveLength(4);
  });

  it("recovers when a 5xx is followed by success", async () => {
    server.script({ kind: "status", status: 503 });

    await expect(provider().generate({ model: "gpt-test", messages })).resolves.toMatchObject({ finishReason: "stop" });
  });

  it("maps other 4xx (unknown model, context too long) to failed-precondition without retrying", async () => {
    server.script({ kind: "status", status: 404 });

    await expect(provider().generate({ model: "nope", messages })).rejects.toMatchObject({ code: "failed-precondition", details: { providerStatus: 404 } });
    expect(server.requests).toHaveLength(1);
  });

  it("maps malformed JSON to unavailable without retrying", async () => {
    server.script({ kind: "malformed-json" });

    await expect(provider().generate({ model: "gpt-test", messages })).rejects.toMatchObject({ code: "unavailable", details: { reason: "provider-malformed-response" } });
    expect(server.requests).toHaveLength(1);
  });

  it("times out a hanging server, retries, and reports unavailable", async () => {
    server.script({ kind: "hang" }, { kind: "hang" });

    await expect(provider({ timeoutMs: 100, maxRetries: 1 }).generate({ model: "gpt-test", messages })).rejects.toMatchObject({
      code: "unavailable",
      details: { reason: "provider-timeout" },
    });
    expect(server.requests).toHaveLength(2);
  });

  it("stops at the caller's deadline without further attempts", async () => {
    server.script({ kind: "hang" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    await expect(provider({ timeoutMs: 5_000 }).generate({ model: "gpt-test", messages, signal: controller.signal })).rejects.toMatchObject({
      code: "unavailable",
      details: { reason: "provider-timeout" },
    });
    expect(server.requests).toHaveLength(1);
  });

  it("reports unreachable servers as unavailable", async () => {
    await expect(provider({ baseUrl: "http://127.0.0.1:1/v1", maxRetries: 0 }).generate({ model: "gpt-test", messages })).rejects.toMatchObject({
      code: "unavailable",
      details: { reason: "provider-unreachable" },
    });
  });

  it("retries a stream that fails before its first byte", async () => {
    server.script({ kind: "status", status: 500 });
    const { deltas } = await drain(provider().stream({ model: "gpt-test", messages }));

    expect(deltas.join("")).toBe("Paris is the capital of France [1].");
    expect(sleeps).toHaveLength(1);
  });

  it("fails a stream cut mid-way after the deltas already delivered, without retrying", async () => {
    server.script({ kind: "cut-stream", afterChunks: 2 });
    const deltas: string[] = [];
    const error = await (async () => {
      for await (const delta of provider().stream({ model: "gpt-test", messages })) deltas.push(delta);
    })().catch((e: unknown) => e);

    expect(error).toMatchObject({ code: "unavailable", details: { reason: "provider-stream-cut" } });
    expect(deltas.join("")).toBe("Paris is the c");
    expect(server.requests).toHaveLength(1);
  });

  it("fails a stream that ends without [DONE] or a finish reason", async () => {
    server.script({ kind: "stream-no-done" });

    await expect(drain(provider().stream({ model: "gpt-test", messages }))).rejects.toMatchObject({ details: { reason: "provider-stream-cut" } });
  });

  it("fails a stream carrying an error frame", async () => {
    server.script({ kind: "stream-error" });

    await expect(drain(provider().stream({ model: "gpt-test", messages }))).rejects.toMatchObject({ code: "unavailable", details: { reason: "provider-stream-error" } });
  });

  it("times out a stream that goes silent", async () => {
    server.script({ kind: "hang" }, { kind: "hang" }, { kind: "hang" });

    await expect(drain(provider({ timeoutMs: 80 }).stream({ model: "gpt-test", messages }))).rejects.toMatchObject({ details: { reason: "provider-timeout" } });
    expect(server.requests).toHaveLength(3);
  });
});
