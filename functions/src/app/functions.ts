import { onDocumentWritten } from "firebase-functions/v2/firestore";
import { onCall, onRequest } from "firebase-functions/v2/https";
import { onObjectFinalized } from "firebase-functions/v2/storage";
import type { Operation } from "../api/operation";
import { healthHandler } from "../health/health-endpoint";
import { documentUploadedHandler } from "../knowledge/storage-trigger";
import { params } from "../lib/config";
import { llmSecrets } from "../providers/openai-params";
import { verifyChallengeHandler } from "../security/challenge-callable";
import { invalidationHandler, type InvalidationRule } from "./cache-invalidation";
import { callableOptions, httpsOptions } from "./function-options";
import { app } from "./production";
import type { Services } from "./root";

/**
 * The deployed functions' declarations: options only. Each handler asks the composition root
 * (`app()`, built once per instance at first use) for what it uses.
 */

// Functions that call the LLM provider hold its key and may wait on provider retries.
const LLM_OPTIONS = { secrets: [...(callableOptions.secrets ?? []), ...llmSecrets], timeoutSeconds: 180 };

/** An operation served as an HTTPS callable for signed-in users. */
export function callableFunction(op: Operation<Services>) {
  return onCall({ ...callableOptions, ...(op.usesLlm ? LLM_OPTIONS : {}) }, (request, response) => app().callable(op)(request, response));
}

/** The versioned REST API (`/v1/...`) for API-key clients: one HTTPS function, one router. */
export const api = onRequest({ ...httpsOptions, ...LLM_OPTIONS }, (req, res) => app().restApi()(req, res));

export const health = onRequest(httpsOptions, (req, res) => healthHandler(app().services.health, req, res));

export const verifyChallenge = onCall(callableOptions, (request) => verifyChallengeHandler(app().rateLimiting.verifyCallerChallenge, request));

export const onDocumentUploaded = onObjectFinalized({ region: params.region, secrets: [...(httpsOptions.secrets ?? []), ...llmSecrets], memory: "512MiB", timeoutSeconds: 300 }, (event) =>
  documentUploadedHandler(app().services.knowledge, event),
);

/** A Firestore trigger that invalidates what a write to `rule.document` makes stale. */
export function invalidationTrigger(rule: InvalidationRule) {
  return onDocumentWritten({ document: rule.document, region: params.region, secrets: [params.upstashRedisRestToken], retry: true }, invalidationHandler(rule, app));
}
