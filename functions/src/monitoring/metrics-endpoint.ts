import type { Request } from "firebase-functions/v2/https";
import type { Response } from "express";
import { requireAdminToken, type IdTokenVerifier } from "../identity/admin-token";
import { toRestError } from "../lib/error-mapping";
import { clientIp, limitRestRequest, type ClientIpOptions, type RateLimiter } from "../lib/rate-limit";

/** `/metrics` spends from the `admin` policy per client IP (lib/rate-limit/policies.ts). */
export const METRICS_POLICY = "admin";

export type MetricsEndpointDeps = {
  /** The exposition text (aggregated across instances). */
  exposition: () => Promise<string>;
  limiter: Pick<RateLimiter, "limit" | "recordFailure">;
  ip?: ClientIpOptions;
  /** Without one, every request is refused. */
  verifyIdToken?: IdTokenVerifier;
};

/**
 * `GET /metrics` for Prometheus scrapers: the aggregated metrics in the text exposition format,
 * for admins only, authenticated as `/health` details are (a Firebase ID token with the `admin`
 * custom claim in `Authorization: Bearer`; Prometheus sends it with `authorization.credentials`).
 * Limited per client IP first; a bad token counts as a failed request of the IP.
 */
export function createMetricsEndpoint(deps: MetricsEndpointDeps) {
  function requireAdmin(req: Request, ip: string | undefined): Promise<void> {
    return requireAdminToken(req.get("authorization"), {
      ...(deps.verifyIdToken ? { verifyIdToken: deps.verifyIdToken } : {}),
      limiter: deps.limiter,
      policy: METRICS_POLICY,
      ip,
      what: "Metrics",
      missing: "Send an admin's Firebase ID token as `Authorization: Bearer <token>`.",
    });
  }

  return async function metricsHandler(req: Request, res: Response): Promise<void> {
    res.set("Cache-Control", "no-store");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.status(405).set("Allow", "GET, HEAD").json({ error: { code: "method-not-allowed", message: "Use GET." } });
      return;
    }
    const ip = clientIp(req, deps.ip);
    const limited = await limitRestRequest(deps.limiter, { method: req.method, policy: METRICS_POLICY, identity: { kind: "ip", id: ip ?? "unknown" }, ip });
    res.set(limited.headers);
    if (!limited.allowed) {
      res.status(limited.status ?? 429).json(limited.body);
      return;
    }
    try {
      await requireAdmin(req, ip);
      const text = await deps.exposition();
      res.status(200).set("Content-Type", "text/plain; version=0.0.4; charset=utf-8").send(text);
    } catch (error) {
      const { status, body } = toRestError(error, { route: "/metrics" });
      res.status(status).json(body);
    }
  };
}
