import { HttpsError, type FunctionsErrorCode } from "firebase-functions/v2/https";
import { isAppError, type AppErrorCode, type ErrorDetails } from "./errors";
import { logger } from "./logging";

/** The stable JSON error shape of the REST API. */
export type RestErrorBody = {
  error: { code: string; message: string; details?: ErrorDetails };
};

export type RestErrorResponse = { status: number; body: RestErrorBody };

const httpStatusByCode: Record<AppErrorCode, number> = {
  "invalid-argument": 400,
  unauthenticated: 401,
  "permission-denied": 403,
  "not-found": 404,
  "already-exists": 409,
  "failed-precondition": 412,
  "payload-too-large": 413,
  "resource-exhausted": 429,
  unavailable: 503,
  internal: 500,
};

// Callables have no "payload too large" code; invalid-argument is what the client can act on.
const callableCodeByCode: Record<AppErrorCode, FunctionsErrorCode> = {
  "invalid-argument": "invalid-argument",
  unauthenticated: "unauthenticated",
  "permission-denied": "permission-denied",
  "not-found": "not-found",
  "already-exists": "already-exists",
  "failed-precondition": "failed-precondition",
  "payload-too-large": "invalid-argument",
  "resource-exhausted": "resource-exhausted",
  unavailable: "unavailable",
  internal: "internal",
};

const INTERNAL_MESSAGE = "Internal error.";

/**
 * Turns anything a callable handler threw into an `HttpsError`. Unknown errors become `internal`
 * with their detail logged (never shown: it may hold secrets or stack traces).
 */
export function toHttpsError(error: unknown, context: Record<string, unknown> = {}): HttpsError {
  if (error instanceof HttpsError) return error;
  if (isAppError(error) && error.code !== "internal") {
    return new HttpsError(callableCodeByCode[error.code], error.message, error.details);
  }
  logUnexpected(error, context);
  return new HttpsError("internal", INTERNAL_MESSAGE);
}

/** Turns anything a REST handler threw into a status and the stable JSON error body. */
export function toRestError(error: unknown, context: Record<string, unknown> = {}): RestErrorResponse {
  if (isAppError(error) && error.code !== "internal") {
    const body: RestErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details) body.error.details = error.details;
    return { status: httpStatusByCode[error.code], body };
  }
  if (error instanceof HttpsError) {
    return {
      status: error.httpErrorCode.status,
      body: { error: { code: error.code, message: error.message } },
    };
  }
  logUnexpected(error, context);
  return { status: 500, body: { error: { code: "internal", message: INTERNAL_MESSAGE } } };
}

function logUnexpected(error: unknown, context: Record<string, unknown>): void {
  const detail =
    error instanceof Error ? { errorName: error.name, errorMessage: error.message, stack: error.stack } : { error: String(error) };
  logger.error("unexpected_error", { ...context, ...detail });
}
