import type { CallableRequest, CallableResponse } from "firebase-functions/v2/https";
import type { z } from "zod";
import { declaredOversize } from "./body-limit";
import { PayloadTooLargeError, UnauthenticatedError, ValidationError, type AppError } from "./errors";
import { toHttpsError } from "./error-mapping";
import type { RequestObserver } from "./metrics";
import { parseInput, type ParseOptions } from "./validation";

/** Who is calling, as established by Firebase Auth (and App Check when enforced). */
export type Caller = {
  uid: string;
  email?: string;
  /** Custom claims and standard token fields, already verified by the platform. */
  claims: Record<string, unknown>;
  appCheckVerified: boolean;
};

/**
 * The limit a callable spends from. Required: a callable cannot be declared without one.
 * Policies (`read`, `write`, `execute`, `auth`, `admin`, ...) are defined in
 * `lib/rate-limit/policies.ts`, each with its cost and its Redis-outage fail mode.
 */
export type CallableRateLimit = {
  policy: "read" | "write" | "execute" | "auth" | "admin" | (string & {});
  /** Overrides the policy's cost. */
  cost?: number;
};

export type CallableSpec<S extends z.ZodType, R> = {
  /** Event name used in logs, e.g. `workspaces.create`. */
  name: string;
  /** Schema of `request.data`; unknown fields should be rejected with `z.strictObject`. */
  input: S;
  parse?: ParseOptions;
  rateLimit: CallableRateLimit;
  /** `response` is there when the platform passes one: `sendChunk` streams to clients that accept it. */
  handle: (input: z.output<S>, caller: Caller, request: CallableRequest<unknown>, response?: CallableResponse<unknown>) => Promise<R>;
};

/**
 * What `callableHandler` asks before running a handler. `limit` throws a typed error on refusal;
 * `reportFailure` counts a failed request (against the signed-in caller, or the client IP when
 * there is none) and may return an error to throw instead of the original (a ban started). Implemented in `lib/rate-limit`; handed to
 * each handler by the composition root.
 */
export type CallableGuard = {
  limit(args: { name: string; rateLimit: CallableRateLimit; caller: Caller; request: CallableRequest<unknown> }): Promise<void>;
  reportFailure(args: { name: string; kind: "authentication" | "validation"; request: CallableRequest<unknown> }): Promise<AppError | undefined>;
};

/**
 * Builds the plain handler behind an `onCall` function: authentication, rate limiting,
 * validation at the edge and error mapping happen here once, so no handler repeats them.
 * Unauthenticated calls count as failures of the client IP; a signed-in caller's invalid input
 * counts against the caller alone.
 */
export function callableHandler<S extends z.ZodType, R>(spec: CallableSpec<S, R>, limits: CallableGuard, observer?: RequestObserver) {
  return async (request: CallableRequest<unknown>, response?: CallableResponse<unknown>): Promise<R> => {
    const started = performance.now();
    let code = "ok";
    try {
      // Before the auth check: a declared body past the limit is refused without further work.
      const oversize = declaredOversize(request.rawRequest?.headers, spec.parse?.maxBytes);
      if (oversize) throw (await limits.reportFailure({ name: spec.name, kind: "validation", request })) ?? oversize;
      let caller: Caller;
      try {
        caller = callerOf(request);
      } catch (error) {
        throw (await limits.reportFailure({ name: spec.name, kind: "authentication", request })) ?? error;
      }
      await limits.limit({ name: spec.name, rateLimit: spec.rateLimit, caller, request });
      let input: z.output<S>;
      try {
        input = parseInput(spec.input, request.data ?? {}, spec.parse);
      } catch (error) {
        if (error instanceof ValidationError || error instanceof PayloadTooLargeError) {
          throw (await limits.reportFailure({ name: spec.name, kind: "validation", request })) ?? error;
        }
        throw error;
      }
      return await spec.handle(input, caller, request, response);
    } catch (error) {
      const mapped = toHttpsError(error, { callable: spec.name, uid: request.auth?.uid });
      code = mapped.code;
      throw mapped;
    } finally {
      // Counted once here for every callable; the tail flushes within a strict bound (lib/metrics).
      if (observer) {
        observer.request({ api: `callable:${spec.name}`, code, ms: performance.now() - started });
        await observer.tail();
      }
    }
  };
}

export function callerOf(request: CallableRequest<unknown>): Caller {
  if (!request.auth?.uid) throw new UnauthenticatedError("Sign in to call this function.");
  const token = request.auth.token as unknown as Record<string, unknown>;
  const email = typeof token.email === "string" ? token.email : undefined;
  return {
    uid: request.auth.uid,
    ...(email ? { email } : {}),
    claims: token,
    appCheckVerified: Boolean(request.app),
  };
}
