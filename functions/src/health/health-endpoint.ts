import type { Request } from "firebase-functions/v2/https";
import type { Response } from "express";
import type { HealthCheck } from "./health-check";

/** `GET /health`: 200 while Firestore answers (Redis being down only degrades), else 503. */
export async function healthHandler(health: Pick<HealthCheck, "run">, req: Request, res: Response): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.status(405).set("Allow", "GET, HEAD").json({ error: { code: "method-not-allowed", message: "Use GET." } });
    return;
  }
  const report = await health.run();
  res.status(report.status === "down" ? 503 : 200).set("Cache-Control", "no-store").json(report);
}
