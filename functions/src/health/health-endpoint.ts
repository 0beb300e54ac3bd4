import type { Request } from "firebase-functions/v2/https";
import type { Response } from "express";
import { toRestError } from "../lib/error-mapping";
import { requireAdminToken, type IdTokenVerifier } from "../identity/admin-token";
import type { RequestObserver } from "../lib/metrics";
import { clientIp, limitRestRequest, type ClientIpOptions, type RateLimiter } from "../lib/rate-limit";
import { publicHealth, type HealthReporter } from "./health-report";


/** The rate-limit policy of `/health` (per client IP, its own bucket; lib/rate-limit/policies.ts). */
export const HEALTH_POLICY = "health";

export type HealthEndpointDeps = {
  health: Pick<HealthReporter, "report">;
  limiter: Pick<RateLimiter, "limit" | "recordFailure">;
  ip?: ClientIpOptions;
  /** Without one, no request ever sees the details. */
  verifyIdToken?: IdTokenVerifier;
  /** Counts each request by status (lib/metrics). */
  metrics?: RequestObserver;
};

/**
 * `GET /health`: 200 while Firestore answers (Redis being down only degrades), else 503. Anyone
 * gets `{ status }`, limited per client IP before anything else is done; an admin (a Firebase ID
 * token whose `admin` custom claim is true, in `Authorization: Bearer`) also gets the
 * dependencies, their latencies and scrubbed errors. A bad token counts as a failed anonymous
 * request of the IP, so the endpoint cannot be used to guess tokens.
 */
export function createHealthEndpoint(deps: HealthEndpointDeps) {
  async function wantsDetails(req: Request, ip: string | undefined): Promise<boolean> {
    const header = req.get("authorization");
    if (!header) return false;
    await requireAdminToken(header, {
      ...(deps.verifyIdToken ? { verifyIdToken: deps.verifyIdToken } : {}),
      limiter: deps.limiter,
      policy: HEALTH_POLICY,
      ip,
      what: "Health details",
      missing: "Send an admin's Firebase ID token as `Authorization: Bearer <token>`, or no credentials.",
    });
    return true;
  }

  async function healthHandler(req: Request, res: Response): Promise<void> {
    res.set("Cache-Control", "no-store");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.status(405).set("Allow", "GET, HEAD").json({ error: { code: "method-not-allowed", message: "Use GET." } });
      return;
    }
    const ip = clientIp(req, deps.ip);
    const limited = await limitRestRequest(deps.limiter, { method: req.method, policy: HEALTH_POLICY, identity: { kind: "ip", id: ip ?? "unknown" }, ip });
    res.set(limited.headers);
    if (!limited.allowed) {
      res.status(limited.status ?? 429).json(limited.body);
      return;
    }
    let detailed: boolean;
    try {
      detailed = await wantsDetails(req, ip);
    } catch (error) {
      const { status, body } = toRestError(error, { route: "/health" });
      res.status(status).json(body);
      return;
    }
    const report = await deps.health.report();
    res.status(report.status === "down" ? 503 : 200).json(detailed ? report : publicHealth(report));
  }

  const metrics = deps.metrics;
  if (!metrics) return healthHandler;
  return async function measuredHealth(req: Request, res: Response): Promise<void> {
    const started = performance.now();
    try {
      await healthHandler(req, res);
    } finally {
      metrics.request({ api: "health", code: String(res.statusCode), ms: performance.now() - started });
      await metrics.tail();
    }
  };
}

export type HealthEndpoint = ReturnType<typeof createHealthEndpoint>;
