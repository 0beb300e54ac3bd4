import { randomUUID } from "node:crypto";
import type { Request } from "firebase-functions/v2/https";
import type { Response } from "express";
import { declaredOversize } from "../lib/body-limit";
import { toRestError } from "../lib/error-mapping";
import { AppError, NotFoundError, UnauthenticatedError, ValidationError } from "../lib/errors";
import { logger } from "../lib/logging";
import type { RequestObserver } from "../lib/metrics";
import { parseInput } from "../lib/validation";
import type { Principal } from "../identity/principal";
import type { HttpMethod, OperationRateLimit } from "./operation";
import { restInput, type RestRoute } from "./rest-route";

export type ApiKeyPrincipal = Extract<Principal, { kind: "apiKey" }>;

/** Decides whether a request may proceed; returns headers to add either way. */
export type RestGuard = (args: {
  rateLimit: OperationRateLimit;
  principal: ApiKeyPrincipal | null;
  req: Request;
}) => Promise<{ headers: Record<string, string>; rejection?: { status: number; body: unknown } }>;

/**
 * Refuses, before the key lookup, a request this instance already knows to refuse (a banned or
 * denied address); synchronous and in memory: it must cost less than what it saves.
 */
export type RestScreen = (req: Request) => { headers: Record<string, string>; rejection: { status: number; body: unknown } } | undefined;

/**
 * Reports failed requests so abuse protection can count them: against the API key once one was
 * accepted (`principal`), else against the client IP (bad or missing keys, anything before).
 */
export type FailureReporter = (args: { req: Request; kind: "authentication" | "validation"; principal?: ApiKeyPrincipal | null }) => Promise<void>;

export type RouterDeps<D> = {
  routes: RestRoute[];
  /** What the operations run against (the services). */
  services: D;
  authenticate: (presentedKey: string) => Promise<ApiKeyPrincipal>;
  guard: RestGuard;
  /** Asked first, before the body size check and the key lookup. */
  screen?: RestScreen;
  reportFailure: FailureReporter;
  /** Counts every request by route and status (lib/metrics); absent, nothing is counted. */
  metrics?: RequestObserver;
};

type CompiledRoute = { route: RestRoute; pattern: RegExp };

function compile(route: RestRoute): CompiledRoute {
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, "([^/]+)");
  return { route, pattern: new RegExp(`^${source}/?$`) };
}

/**
 * The REST API's one request path: match, authenticate (API key), limit, parse once, run, map
 * errors. Operations never see an unvalidated value and never format an error themselves.
 */
export function createRouter<D>({ routes, services, authenticate, guard, screen, reportFailure, metrics }: RouterDeps<D>) {
  const compiled = routes.map(compile);
  const seen = new Set<string>();
  for (const { route } of compiled) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) throw new Error(`Duplicate REST route ${key}`);
    seen.add(key);
  }

  /** The matched route of a request in flight, named for the metrics. */
  const apiOf = new WeakMap<Request, string>();
  const handle = async function handle(req: Request, res: Response): Promise<void> {
    const requestId = randomUUID();
    res.set("X-Request-Id", requestId);
    const path = withoutTrailingSlashes(req.path || "/");
    let principal: ApiKeyPrincipal | null = null;
    let matched: RestRoute | undefined;
    try {
      const candidates = compiled.map((c) => ({ c, m: c.pattern.exec(path) })).filter((x) => x.m);
      if (candidates.length === 0) throw new NotFoundError(`No route for ${req.method} ${path}.`);
      const hit = candidates.find((x) => x.c.route.method === (req.method as HttpMethod));
      if (!hit || !hit.m) {
        res.set("Allow", [...new Set(candidates.map((x) => x.c.route.method))].join(", "));
        res.status(405).json({ error: { code: "method-not-allowed", message: `Use ${res.get("Allow")}.` } });
        return;
      }
      const route = hit.c.route;
      matched = route;
      apiOf.set(req, `rest:${route.method} ${route.path}`);
      const screened = screen?.(req);
      if (screened) {
        res.set(screened.headers);
        res.status(screened.rejection.status).json(screened.rejection.body);
        return;
      }
      // Before any key lookup or limiter call: the runtime has parsed the body already (docs/security.md).
      const oversize = declaredOversize(req.headers, route.operation.maxInputBytes);
      if (oversize) {
        void reportFailure({ req, kind: "validation" });
        throw oversize;
      }
      const rawParams = Object.fromEntries(route.pathNames.map((name, i) => [name, safeDecode(hit.m?.[i + 1] ?? "")]));

      // A failed authentication is still limited (as the anonymous client IP), so a banned or
      // throttled IP is refused before it learns anything about the keys it tries.
      let authFailure: UnauthenticatedError | undefined;
      try {
        principal = await authenticateRequest(req, authenticate);
      } catch (error) {
        if (!(error instanceof UnauthenticatedError)) throw error;
        authFailure = error;
        await reportFailure({ req, kind: "authentication" });
      }

      const decision = await guard({ rateLimit: route.operation.rateLimit, principal, req });
      res.set(decision.headers);
      if (decision.rejection) {
        res.status(decision.rejection.status).json(decision.rejection.body);
        return;
      }
      if (authFailure || !principal) throw authFailure ?? new UnauthenticatedError("Invalid or expired API key.");

      let input: unknown;
      try {
        const raw = restInput(route, { params: rawParams, query: req.query ?? {}, body: route.hasBody ? jsonBody(req) : undefined });
        input = parseInput(route.operation.input, raw, { maxBytes: route.operation.maxInputBytes });
      } catch (error) {
        if (error instanceof ValidationError) void reportFailure({ req, kind: "validation", principal });
        throw error;
      }

      const result: unknown = await route.operation.run(services, principal, input, {});
      const body = route.binding.present ? route.binding.present(result as never) : result;
      const status = route.binding.successStatus ?? 200;
      if (status === 204) res.status(204).end();
      else res.status(status).json(body);
    } catch (error) {
      const { status, body } = toRestError(error, { route: matched?.path, requestId, keyId: principal?.keyId });
      // Refusals raised past the guard (a spend reservation, a shed request) say when to retry too.
      if (error instanceof AppError && typeof error.details?.retryAfter === "number") res.set("Retry-After", String(error.details.retryAfter));
      if (!(error instanceof AppError)) logger.error("rest_request_failed", { requestId, route: matched?.path });
      res.status(status).json(body);
    }
  };
  if (!metrics) return handle;
  // Counted after the answer is sent: the client never waits for it (the tail is bounded anyway).
  return async function measured(req: Request, res: Response): Promise<void> {
    const started = performance.now();
    try {
      await handle(req, res);
    } finally {
      metrics.request({ api: apiOf.get(req) ?? "rest:unmatched", code: String(res.statusCode), ms: performance.now() - started });
      await metrics.tail();
    }
  };
}

async function authenticateRequest(req: Request, authenticate: RouterDeps<unknown>["authenticate"]): Promise<ApiKeyPrincipal> {
  const header = req.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new UnauthenticatedError("Send an API key as `Authorization: Bearer <key>`.");
  return authenticate(match[1]);
}

function jsonBody(req: Request): unknown {
  const notJson = () => new ValidationError("Send the body as JSON with `Content-Type: application/json`.");
  // Express also parses form bodies into objects: only a JSON body is a body here.
  if (req.rawBody && req.rawBody.length > 0 && !req.is("application/json")) throw notJson();
  if (req.body === undefined || req.body === null) return {};
  if (Buffer.isBuffer(req.body) || typeof req.body === "string") throw notJson();
  return req.body;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ValidationError("Malformed path segment.");
  }
}

/** `/a/b///` -> `/a/b`, `///` -> `/`; a loop, since a regex over a long run of '/' is quadratic. */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  return end === 0 ? "/" : path.slice(0, end);
}
