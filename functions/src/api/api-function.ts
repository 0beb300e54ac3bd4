import { onRequest, type Request } from "firebase-functions/v2/https";
import type { Response } from "express";
import { httpsOptions } from "../app/function-options";
import { reportRestFailure, restRateLimitGuard } from "../app/rate-limit";
import { services } from "../app/services";
import { llmSecrets } from "../providers/openai-params";
import { createRouter } from "./router";
import { restRoutes } from "./routes";

let router: ReturnType<typeof createRouter> | undefined;

/** The versioned REST API (`/v1/...`) for API-key clients: one HTTPS function, one router. */
export async function apiHandler(req: Request, res: Response): Promise<void> {
  if (!router) {
    const wired = services();
    router = createRouter({
      routes: restRoutes(),
      authenticate: (key) => wired.apiKeys.authenticate(key),
      guard: restRateLimitGuard,
      reportFailure: reportRestFailure,
    });
  }
  await router(req, res);
}

// REST runs executions, so it holds the provider key and may wait on provider retries.
export const api = onRequest({ ...httpsOptions, secrets: [...(httpsOptions.secrets ?? []), ...llmSecrets], timeoutSeconds: 180 }, apiHandler);
