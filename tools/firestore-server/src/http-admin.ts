/**
 * The HTTP side of the port, mirroring the official emulator's REST helpers:
 *   GET  /                                                      -> "Ok" (health)
 *   DELETE /emulator/v1/projects/{p}/databases/{d}/documents    -> clears that database, `{}`
 * plus the change feed the local event relay reads (see change-feed.ts and the README):
 *   GET /emulator/v1/projects/{p}/databases/{d}/changes?after=<seq>&waitMs=<ms>
 *   GET /emulator/v1/projects/{p}/databases/{d}/changes/head
 */
import * as http from "node:http";
import type { ChangeFeed } from "./change-feed";
import type { Engine } from "./engine";
import { parseDatabase } from "./paths";

const CLEAR_RE = /^\/emulator\/v1\/projects\/([^/]+)\/databases\/([^/]+)\/documents\/?$/;
const CHANGES_RE = /^\/emulator\/v1\/projects\/([^/]+)\/databases\/([^/]+)\/changes(\/head)?\/?$/;

function json(res: http.ServerResponse, status: number, body: unknown): void {
  // A long-poll may outlive its client.
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function badRequest(res: http.ServerResponse, message: string): void {
  json(res, 400, { error: { code: 400, message } });
}

/** A non-negative integer query parameter; undefined when absent, NaN when malformed. */
function intParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return undefined;
  return /^\d+$/.test(raw) ? Number(raw) : NaN;
}

async function serveChanges(feed: ChangeFeed, url: URL, m: RegExpExecArray, res: http.ServerResponse): Promise<void> {
  const db = parseDatabase(`projects/${decodeURIComponent(m[1]!)}/databases/${decodeURIComponent(m[2]!)}`);
  if (m[3]) return json(res, 200, { lastSeq: feed.head(db) });
  const after = intParam(url, "after") ?? 0;
  const waitMs = intParam(url, "waitMs") ?? 0;
  if (!Number.isSafeInteger(after)) return badRequest(res, "after must be a non-negative integer");
  if (!Number.isSafeInteger(waitMs)) return badRequest(res, "waitMs must be a non-negative integer");
  const gone = new AbortController();
  res.on("close", () => gone.abort());
  json(res, 200, await feed.read(db, after, waitMs, gone.signal));
}

export function createHttpServer(engine: Engine, feed: ChangeFeed): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const clear = CLEAR_RE.exec(url.pathname);
    if (req.method === "DELETE" && clear) {
      engine.clear(decodeURIComponent(clear[1]!), decodeURIComponent(clear[2]!));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      return;
    }
    const changes = CHANGES_RE.exec(url.pathname);
    if (req.method === "GET" && changes) {
      serveChanges(feed, url, changes, res).catch((err: unknown) => {
        json(res, 500, { error: { code: 500, message: err instanceof Error ? err.message : String(err) } });
      });
      return;
    }
    if (req.method === "GET" && url.pathname === "/") {
      res.writeHead(200, { "content-type": "text/plain" }).end("Ok");
      return;
    }
    // Rules are not enforced (server SDKs bypass them anyway); accept rule uploads.
    if (req.method === "PUT" && /:securityRules$/.test(url.pathname)) {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: 404, message: "Not found" } }));
  });
}
