import type { CallableRequest } from "firebase-functions/v2/https";
import type { z } from "zod";
import { UnauthenticatedError } from "./errors";
import { toHttpsError } from "./error-mapping";
import { parseInput, type ParseOptions } from "./validation";

/** Who is calling, as established by Firebase Auth (and App Check when enforced). */
export type Caller = {
  uid: string;
  email?: string;
  /** Custom claims and standard token fields, already verified by the platform. */
  claims: Record<string, unknown>;
  appCheckVerified: boolean;
};

export type CallableSpec<S extends z.ZodType, R> = {
  /** Event name used in logs, e.g. `workspaces.create`. */
  name: string;
  /** Schema of `request.data`; unknown fields should be rejected with `z.strictObject`. */
  input: S;
  parse?: ParseOptions;
  handle: (input: z.output<S>, caller: Caller, request: CallableRequest<unknown>) => Promise<R>;
};

/**
 * Builds the plain handler behind an `onCall` function: authentication, validation at the edge
 * and error mapping happen here once, so no handler repeats them.
 */
export function callableHandler<S extends z.ZodType, R>(spec: CallableSpec<S, R>) {
  return async (request: CallableRequest<unknown>): Promise<R> => {
    try {
      const caller = callerOf(request);
      const input = parseInput(spec.input, request.data ?? {}, spec.parse);
      return await spec.handle(input, caller, request);
    } catch (error) {
      throw toHttpsError(error, { callable: spec.name, uid: request.auth?.uid });
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
