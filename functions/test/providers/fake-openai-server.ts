import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A small server speaking the OpenAI HTTP API (`/chat/completions` with and without `stream`,
 * `/embeddings`), with scripted failures, so the real HTTP provider is tested over real sockets.
 */
export type FakeBehaviour =
  | { kind: "ok" }
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: string }
  | { kind: "malformed-json" }
  | { kind: "hang" }
  /** Streams the first `afterChunks` deltas, then destroys the socket. */
  | { kind: "cut-stream"; afterChunks: number }
  /** Streams one delta, then an error frame as OpenAI sends for mid-stream failures. */
  | { kind: "stream-error" }
  /** Ends a stream cleanly but without `[DONE]` or a finish reason. */
  | { kind: "stream-no-done" };

export type RecordedRequest = { method: string; path: string; query: URLSearchParams; headers: IncomingMessage["headers"]; body: Record<string, unknown> };

export type FakeOpenAiServer = {
  baseUrl: string;
  /** Behaviours for the next requests, consumed in order; then `ok`. */
  script(...behaviours: FakeBehaviour[]): void;
  /** The reply text of chat completions. */
  setReply(text: string): void;
  /** Require `Authorization: Bearer <key>` (or `api-key: <key>`); anything else answers 401. */
  requireKey(key: string | undefined): void;
  requests: RecordedRequest[];
  close(): Promise<void>;
};

/** Deterministic vector for a text: the fake's embeddings. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const out = new Array<number>(dimensions).fill(0);
  for (let i = 0; i < text.length; i++) out[i % dimensions] = (out[i % dimensions] ?? 0) + text.charCodeAt(i) / 1000;
  return out;
}

export async function startFakeOpenAiServer(): Promise<FakeOpenAiServer> {
  const queue: FakeBehaviour[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let reply = "Paris is the capital of France [1].";
  let key: string | undefined;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      } catch {
        res.writeHead(400).end();
        return;
      }
      requests.push({ method: req.method ?? "", path: url.pathname, query: url.searchParams, headers: req.headers, body });
      handle(url.pathname, req, res, body, queue.shift() ?? { kind: "ok" });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  function handle(path: string, req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>, behaviour: FakeBehaviour): void {
    if (key !== undefined) {
      const presented = req.headers["api-key"] ?? req.headers.authorization?.replace(/^Bearer /, "");
      if (presented !== key) return json(res, 401, { error: { message: "Incorrect API key provided", type: "invalid_request_error" } });
    }
    switch (behaviour.kind) {
      case "status":
        res.writeHead(behaviour.status, { "Content-Type": "application/json", ...behaviour.headers });
        res.end(behaviour.body ?? JSON.stringify({ error: { message: `scripted ${behaviour.status}` } }));
        return;
      case "malformed-json":
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end('{"choices": [ not json');
        return;
      case "hang":
        return;
      default:
    }
    if (path.endsWith("/embeddings")) return embeddings(res, body);
    if (path.endsWith("/chat/completions")) return body.stream === true ? stream(res, body, behaviour) : completion(res, body);
    json(res, 404, { error: { message: "unknown path" } });
  }

  function usage(body: Record<string, unknown>) {
    const messages = Array.isArray(body.messages) ? (body.messages as Array<{ content?: string }>) : [];
    const prompt = messages.reduce((sum, m) => sum + (m.content?.length ?? 0), 0);
    return { prompt_tokens: Math.ceil(prompt / 4), completion_tokens: Math.ceil(reply.length / 4), total_tokens: Math.ceil(prompt / 4) + Math.ceil(reply.length / 4) };
  }

  function completion(res: ServerResponse, body: Record<string, unknown>): void {
    json(res, 200, {
      id: "chatcmpl-fake",
      object: "chat.completion",
      model: `${String(body.model)}-2024`,
      choices: [{ index: 0, message: { role: "assistant", content: reply }, finish_reason: "stop" }],
      usage: usage(body),
    });
  }

  function stream(res: ServerResponse, body: Record<string, unknown>, behaviour: FakeBehaviour): void {
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    const pieces = reply.match(/.{1,7}/gsu) ?? [];
    const frames: string[] = [": keep-alive\n\n"];
    pieces.forEach((piece, i) => {
      if (behaviour.kind === "stream-error" && i === 1) frames.push(`data: ${JSON.stringify({ error: { message: "overloaded", type: "server_error" } })}\n\n`);
      frames.push(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", model: `${String(body.model)}-2024`, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`);
    });
    if (behaviour.kind !== "stream-no-done") {
      frames.push(`data: ${JSON.stringify({ id: "c", model: `${String(body.model)}-2024`, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`);
      const options = body.stream_options as { include_usage?: boolean } | undefined;
      if (options?.include_usage) frames.push(`data: ${JSON.stringify({ id: "c", choices: [], usage: usage(body) })}\r\n\r\n`);
      frames.push("data: [DONE]\n\n");
    }
    // Frames go out in uneven slices, so the client must reassemble lines split across writes.
    const wire = frames.join("");
    const slices: string[] = [];
    for (let i = 0; i < wire.length; i += 13) slices.push(wire.slice(i, i + 13));
    const cutAt = behaviour.kind === "cut-stream" ? wire.indexOf("data:", frames.slice(0, behaviour.afterChunks + 1).join("").length) : -1;
    let sent = 0;
    const writeNext = () => {
      const slice = slices.shift();
      if (slice === undefined) return void res.end();
      if (cutAt >= 0 && sent + slice.length > cutAt) {
        res.write(slice.slice(0, Math.max(0, cutAt - sent + 8)));
        setTimeout(() => res.socket?.destroy(), 5);
        return;
      }
      sent += slice.length;
      res.write(slice);
      setImmediate(writeNext);
    };
    writeNext();
  }

  function embeddings(res: ServerResponse, body: Record<string, unknown>): void {
    const input = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
    const dimensions = typeof body.dimensions === "number" ? body.dimensions : 8;
    const data = input.map((text, index) => ({ object: "embedding", index, embedding: fakeEmbedding(text, dimensions) })).reverse();
    const tokens = input.reduce((sum, t) => sum + Math.ceil(t.length / 4), 0);
    json(res, 200, { object: "list", model: String(body.model), data, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }

  function json(res: ServerResponse, status: number, payload: unknown): void {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(payload));
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    script: (...behaviours) => void queue.push(...behaviours),
    setReply: (text) => {
      reply = text;
    },
    requireKey: (value) => {
      key = value;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
