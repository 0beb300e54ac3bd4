import { chatCompletionDeltas, sseEvents } from "./openai-sse";

const encoder = new TextEncoder();

async function* bytes(...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === "string" ? encoder.encode(part) : part;
}

function frame(content: string | null, finish: string | null = null): string {
  return `data: ${JSON.stringify({ model: "m-1", choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;
}

async function run(...parts: Array<string | Uint8Array>) {
  const deltas: string[] = [];
  const stream = chatCompletionDeltas(sseEvents(bytes(...parts)));
  for (;;) {
    const step = await stream.next();
    if (step.done) return { deltas, summary: step.value };
    deltas.push(step.value);
  }
}

describe("SSE parsing of chat completion streams", () => {
  it("yields each delta and returns the model and finish reason at [DONE]", async () => {
    const { deltas, summary } = await run(frame("Hel"), frame("lo"), frame(null, "stop"), "data: [DONE]\n\n");

    expect(deltas).toEqual(["Hel", "lo"]);
    expect(summary).toEqual({ model: "m-1", usage: undefined, finishReason: "stop" });
  });

  it("reassembles frames split at every byte, including inside a multi-byte character", async () => {
    const wire = encoder.encode(`${frame("naïve ")}${frame("東京")}${frame(null, "stop")}data: [DONE]\n\n`);
    const singleBytes = Array.from(wire, (b) => Uint8Array.of(b));

    const { deltas } = await run(...singleBytes);

    expect(deltas.join("")).toBe("naïve 東京");
  });

  it("accepts CRLF line endings, comments and a usage-only final frame", async () => {
    const usage = `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 3 } })}\r\n\r\n`;
    const { deltas, summary } = await run(": keep-alive\r\n\r\n", frame("A").replace(/\n/g, "\r\n"), frame(null, "length"), usage, "data: [DONE]\r\n\r\n");

    expect(deltas).toEqual(["A"]);
    expect(summary).toEqual({ model: "m-1", usage: { inputTokens: 7, outputTokens: 3 }, finishReason: "length" });
  });

  it("stops reading at [DONE] even when more follows", async () => {
    const { deltas } = await run(frame("A"), "data: [DONE]\n\n", frame("ignored"));

    expect(deltas).toEqual(["A"]);
  });

  it("accepts a stream that ends after a finish reason without [DONE]", async () => {
    const { summary } = await run(frame("A"), frame(null, "stop"));

    expect(summary.finishReason).toBe("stop");
  });

  it("treats a stream that just ends as cut", async () => {
    await expect(run(frame("A"), frame("B"))).rejects.toMatchObject({ code: "unavailable", details: { reason: "provider-stream-cut" } });
  });

  it("fails on an error frame, whether as data or as an error event", async () => {
    await expect(run(frame("A"), `data: {"error":{"message":"overloaded"}}\n\n`)).rejects.toMatchObject({ details: { reason: "provider-stream-error" } });
    await expect(run(frame("A"), `event: error\ndata: {"message":"x"}\n\n`)).rejects.toMatchObject({ details: { reason: "provider-stream-error" } });
  });

  it("fails on a frame that is not JSON or not a chunk", async () => {
    await expect(run("data: {not json\n\n")).rejects.toMatchObject({ details: { reason: "provider-malformed-response" } });
    await expect(run(`data: {"choices": "nope"}\n\n`)).rejects.toMatchObject({ details: { reason: "provider-malformed-response" } });
  });

  it("parses a final frame that lacks its blank line", async () => {
    const events = [];
    for await (const event of sseEvents(bytes("data: one\n\ndata: two"))) events.push(event.data);

    expect(events).toEqual(["one", "two"]);
  });
});
