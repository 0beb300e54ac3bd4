/**
 * The few error types the domains throw. Each carries a stable machine code; the one mapper in
 * `error-mapping.ts` turns them into callable `HttpsError`s and REST responses.
 */

export type ErrorDetails = Record<string, unknown>;

export type AppErrorCode =
  | "invalid-argument"
  | "unauthenticated"
  | "permission-denied"
  | "not-found"
  | "already-exists"
  | "failed-precondition"
  | "resource-exhausted"
  | "unavailable"
  | "payload-too-large"
  | "internal";

export abstract class AppError extends Error {
  abstract readonly code: AppErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(message: string, details?: ErrorDetails) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** One issue found while validating outside input, addressed by its path (`variables.0.name`). */
export type FieldIssue = { path: string; message: string };

export class ValidationError extends AppError {
  readonly code = "invalid-argument" as const;
  readonly issues: FieldIssue[];

  constructor(message: string, issues: FieldIssue[] = []) {
    super(message, issues.length > 0 ? { issues } : undefined);
    this.issues = issues;
  }
}

export class PayloadTooLargeError extends AppError {
  readonly code = "payload-too-large" as const;
}

export class UnauthenticatedError extends AppError {
  readonly code = "unauthenticated" as const;
}

export class PermissionDeniedError extends AppError {
  readonly code = "permission-denied" as const;
}

export class NotFoundError extends AppError {
  readonly code = "not-found" as const;
}

export class ConflictError extends AppError {
  readonly code = "already-exists" as const;
}

export class FailedPreconditionError extends AppError {
  readonly code = "failed-precondition" as const;
}

/**
 * Too many requests. `reason` tells clients apart: a plain limit resets by itself, a ban lasts
 * longer, and a challenge needs the client to prove it is human before anything else succeeds.
 */
export class RateLimitedError extends AppError {
  readonly code = "resource-exhausted" as const;
}

export class UnavailableError extends AppError {
  readonly code = "unavailable" as const;
}

/**
 * A stored document (or another record we wrote ourselves) does not match its schema: a bug or
 * a hand edit, never the caller's fault. Maps to `internal`; the document path and the failing
 * field paths are kept for logs, never the values, and never shown to the caller.
 */
export class DataIntegrityError extends AppError {
  readonly code = "internal" as const;
  readonly path: string;
  readonly fields: string[];

  constructor(kind: string, path: string, fields: string[]) {
    super(`Stored ${kind} at ${path} is malformed (${fields.join(", ")}).`);
    this.path = path;
    this.fields = fields;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
