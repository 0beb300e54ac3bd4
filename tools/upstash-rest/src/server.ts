/**
 * The HTTP side: routing, auth, body limits and status codes of the Upstash REST API.
 *
 *   POST /             JSON command `["SET","k","v"]`            -> {"result": …}
 *   POST /pipeline     JSON array of commands                    -> [{"result"|"error": …}, …]
 *   POST /multi-exec   JSON array of commands, run atomically    -> [{"result"|"error": …}, …]
 *   GET|POST /set/k/v  path form; query `?EX=10` adds `EX 10`; a POST body is the last argument
 *
 * `Upstash-Encoding: base64` selects base64 strings (see reply-encoding.ts). 401 without the
 * token, 413 above the body limit, 400 for command errors, 503 when Redis is unreachable.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { bearerToken, tokenMatches } from "./auth";
import { Executor, type Answer } from "./executor";
import { RedisConnection, RedisUnavailableError } from "./redis-connection";
import { parseRedisUrl } from "./redis-url";
import { BodyTooLargeError, readBody } from "./request-body";
import type { Arg } from "./resp";
import { ScriptShaMap } from "./script-rewrite";

export interface UpstashRestOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** `redis://[[user]:password@]host[:port][/db]` */
  redisUrl: string;
  /** The bearer token clients must present. */
  token: string;
  /** Request body cap in bytes (default 10 MB); larger bodies get 413. */
  maxBodyBytes?: number;
  /** How long a connect attempt to Redis may take before requests get 503 (default 2 s). */
  connectTimeoutMs?: number;
  /** How long Redis may stay silent with commands outstanding before they get 503 (default 15 s). */
  commandTimeoutMs?: number;
}

export interface UpstashRestServer {
  /** e.g. `http://127.0.0.1:8079` */
  url: string;
  port: number;
  close(): Promise<void>;
}

const JSON_HEADERS = { "content-type": "application/json" };

export async function startUpstashRestServer(options: UpstashRestOptions): Promise<UpstashRestServer> {
  if (!options.token) throw new Error("a token is required");
  const host = options.host ?? "127.0.0.1";
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const target = parseRedisUrl(options.redisUrl);
  const connectionOptions = { connectTimeoutMs: options.connectTimeoutMs, commandTimeoutMs: options.commandTimeoutMs };
  const shared = new RedisConnection(target, connectionOptions);
  const transactions = new RedisConnection(target, connectionOptions);
  const executor = new Executor(shared, transactions, new ScriptShaMap());
  const token = Buffer.from(options.token, "utf8");

  const server = http.createServer((req, res) => {
    handle(req, executor, token, maxBodyBytes).then(
      (answer) => send(res, answer),
      (error: unknown) => send(res, errorToAnswer(error)),
    );
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // Warm the shared connection; if Redis is not up yet, requests answer 503 until it is.
  shared.ping().catch(() => undefined);

  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        shared.close();
        transactions.close();
      }),
  };
}

async function handle(req: http.IncomingMessage, executor: Executor, token: Buffer, maxBodyBytes: number): Promise<Answer> {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? null : new URLSearchParams(url.slice(q + 1));

  if (!tokenMatches(token, bearerToken(req.headers.authorization) ?? query?.get("_token") ?? undefined)) {
    return { status: 401, body: '{"error":"Unauthorized"}' };
  }
  const method = req.method ?? "GET";
  if (method !== "POST" && method !== "GET") return { status: 405, body: '{"error":"Method not allowed"}' };
  const base64 = (req.headers["upstash-encoding"] as string | undefined)?.toLowerCase() === "base64";

  if (path === "/" || path === "" || path === "/pipeline" || path === "/multi-exec") {
    if (method !== "POST") return { status: 405, body: '{"error":"Method not allowed, use POST"}' };
    const body = await readBody(req, maxBodyBytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch (error) {
      return { status: 400, body: JSON.stringify({ error: `ERR invalid JSON body: ${(error as Error).message}` }) };
    }
    if (path === "/pipeline") return executor.pipeline(parsed, base64);
    if (path === "/multi-exec") return executor.multiExec(parsed, base64);
    return executor.single(parsed, base64);
  }

  // Path form: /set/key/value?EX=10, optionally with the value as the POST body.
  const args: Arg[] = [];
  try {
    for (const segment of path.slice(1).split("/")) args.push(decodeURIComponent(segment));
  } catch {
    return { status: 400, body: '{"error":"ERR malformed percent-encoding in the path"}' };
  }
  if (query) {
    for (const [key, value] of query) {
      if (key === "_token") continue;
      args.push(key);
      if (value !== "") args.push(value);
    }
  }
  if (method === "POST") {
    const body = await readBody(req, maxBodyBytes);
    if (body.length > 0) args.push(body);
  }
  return executor.singleArgs(args, base64);
}

function errorToAnswer(error: unknown): Answer {
  if (error instanceof RedisUnavailableError) return { status: 503, body: JSON.stringify({ error: error.message }) };
  if (error instanceof BodyTooLargeError) return { status: 413, body: JSON.stringify({ error: `ERR ${error.message}` }) };
  return { status: 500, body: JSON.stringify({ error: `ERR internal error: ${(error as Error)?.message ?? String(error)}` }) };
}

function send(res: http.ServerResponse, answer: Answer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(answer.status, { ...JSON_HEADERS, "content-length": Buffer.byteLength(answer.body) });
  res.end(answer.body);
}
