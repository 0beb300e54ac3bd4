import { cosineSimilarity, embedText, LOCAL_EMBEDDING_DIMENSIONS } from "./local-embedding";
import { createLocalProvider, LOCAL_ANSWER_LABEL } from "./local-provider";

describe("local embeddings", () => {
  it("are deterministic, fixed-dimension and unit length", () => {
    const a = embedText("Firestore vector search with cosine distance");
    expect(a).toEqual(embedText("Firestore vector search with cosine distance"));
    expect(a).toHaveLength(LOCAL_EMBEDDING_DIMENSIONS);
    expect(Math.sqrt(a.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 10);
  });

  it("place similar texts closer than unrelated ones", () => {
    const query = embedText("how do I reset my password");
    const related = embedText("To reset a forgotten password, open the sign-in page and choose 'Reset password'.");
    const unrelated = embedText("Sourdough bread needs a mature starter and a long, cool fermentation.");
    expect(cosineSimilarity(query, related)).toBeGreaterThan(cosineSimilarity(query, unrelated) + 0.2);
  });

  it("ignore case, accents and Unicode compatibility forms", () => {
    expect(embedText("CAFÉ Résumé")).toEqual(embedText("cafe resume"));
    expect(embedText("ｆｕｌｌｗｉｄｔｈ")).toEqual(embedText("fullwidth"));
  });

  it("match word forms through character n-grams", () => {
    expect(cosineSimilarity(embedText("embeddings"), embedText("embedding"))).toBeGreaterThan(0.5);
  });

  it("embed an empty text as the zero vector", () => {
    expect(embedText("  the of  ").every((x) => x === 0)).toBe(true);
  });
});

describe("the local provider", () => {
  const provider = createLocalProvider();
  const prompt =
    "Context: Invoices are sent on the first day of each month. Refunds are processed within five business days. " +
    "The office is closed on public holidays.\n\nQuestion: How long do refunds take?";

  it("labels its answers as local and quotes the passages closest to the question", async () => {
    const result = await provider.generate({ model: "local-extractive-1", messages: [{ role: "user", content: prompt }] });
    expect(result.text.startsWith(LOCAL_ANSWER_LABEL)).toBe(true);
    expect(result.text).toContain("Refunds are processed within five business days.");
    expect(result.finishReason).toBe("stop");
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBe(Math.ceil(result.text.length / 4));
  });

  it("answers the same input with the same output", async () => {
    const request = { model: "m", messages: [{ role: "user" as const, content: prompt }] };
    expect(await provider.generate(request)).toEqual(await provider.generate(request));
  });

  it("streams deltas that add up to the generated text, then returns the same result", async () => {
    const request = { model: "m", messages: [{ role: "user" as const, content: prompt }] };
    const stream = provider.stream(request);
    const deltas: string[] = [];
    let next = await stream.next();
    while (!next.done) {
      deltas.push(next.value);
      next = await stream.next();
    }
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join("")).toBe(next.value.text);
    expect(next.value).toEqual(await provider.generate(request));
  });

  it("stops at maxOutputTokens with finishReason length", async () => {
    const result = await provider.generate({ model: "m", messages: [{ role: "user", content: prompt }], maxOutputTokens: 10 });
    expect(result.finishReason).toBe("length");
    expect(result.usage.outputTokens).toBeLessThanOrEqual(10);
  });

  it("embeds in batches with deterministic token counts and costs nothing", async () => {
    const result = await provider.embed({ texts: ["alpha beta", "gamma"] });
    expect(result.vectors).toHaveLength(2);
    expect(result.dimensions).toBe(provider.embeddingDimensions);
    expect(result.usage.inputTokens).toBe(3 + 2);
    expect(provider.pricing(provider.defaultModel)).toEqual({ inputPer1k: 0, outputPer1k: 0 });
    expect(provider.pricing("any")).toBeUndefined();
  });

  it("refuses an aborted request", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(provider.generate({ model: "m", messages: [], signal: controller.signal })).rejects.toThrow("stop");
  });
});
