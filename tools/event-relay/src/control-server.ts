/**
 * The relay's own HTTP port: health, recent deliveries, and the Cloud Scheduler controls.
 *
 *   GET  /healthz                       -> { ok, triggers, feeds }
 *   GET  /triggers                      -> the trigger index
 *   GET  /deliveries?limit=100          -> newest first
 *   GET  /scheduler/jobs                -> jobs with their next run
 *   POST /scheduler/jobs/<name>:run     -> fires now (like `gcloud scheduler jobs run`)
 *   POST /scheduler/clock               -> { "advanceMs": n } | { "speed": k } (local tests only)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Deliverer } from "./deliverer";
import type { Scheduler } from "./scheduler";
import type { Trigger } from "./types";

export type ControlDeps = {
  deliverer: Deliverer;
  scheduler: Scheduler;
  triggers: () => Trigger[];
  health: () => Record<string, unknown>;
};

const MAX_BODY = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > MAX_BODY) throw new Error("body too large");
  }
  return text.trim() ? JSON.parse(text) : {};
}

export function createControlServer(deps: ControlDeps): Server {
  return createServer((req, res) => {
    handle(deps, req, res).catch((err: unknown) => send(res, 400, { error: err instanceof Error ? err.message : String(err) }));
  });
}

async function handle(deps: ControlDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://relay");
  const path = url.pathname;
  if (req.method === "GET" && path === "/healthz") return send(res, 200, deps.health());
  if (req.method === "GET" && path === "/triggers") return send(res, 200, { triggers: deps.triggers() });
  if (req.method === "GET" && path === "/deliveries") {
    const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get("limit") ?? 100) || 100));
    return send(res, 200, { deliveries: deps.deliverer.recent(limit) });
  }
  if (req.method === "GET" && path === "/scheduler/jobs") return send(res, 200, { jobs: deps.scheduler.list() });
  const run = /^\/scheduler\/jobs\/([^/]+):run$/.exec(path);
  if (req.method === "POST" && run) {
    const outcome = deps.scheduler.run(decodeURIComponent(run[1]));
    if (!outcome) return send(res, 404, { error: `no scheduled job ${run[1]}` });
    return send(res, 200, { outcome: (await outcome) ?? "cancelled" });
  }
  if (req.method === "POST" && path === "/scheduler/clock") {
    const body = await readJson(req);
    const { advanceMs, speed } = typeof body === "object" && body !== null ? (body as { advanceMs?: unknown; speed?: unknown }) : {};
    if (typeof speed === "number" && speed > 0 && speed <= 1e6) deps.scheduler.setSpeed(speed);
    else if (speed !== undefined) return send(res, 400, { error: "speed must be a number in (0, 1e6]" });
    if (typeof advanceMs === "number" && advanceMs >= 0) await deps.scheduler.advance(advanceMs);
    else if (advanceMs !== undefined) return send(res, 400, { error: "advanceMs must be a non-negative number" });
    return send(res, 200, { jobs: deps.scheduler.list() });
  }
  send(res, 404, { error: `no route ${req.method} ${path}` });
}
