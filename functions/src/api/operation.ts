import type { z } from "zod";
import type { Action } from "../identity/permissions";
import type { Principal } from "../identity/principal";
import { parseInput } from "../lib/validation";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * The limit an operation spends from. Required: nothing is served without one. Policies
 * (`read`, `write`, `execute`, `auth`, `admin`, ...) live in `lib/rate-limit/policies.ts`, each
 * with its cost and its Redis-outage fail mode.
 */
export type OperationRateLimit = {
  policy: "read" | "write" | "execute" | "auth" | "admin" | (string & {});
  /** Overrides the policy's cost. */
  cost?: number;
  /**
   * The policy the service reserves its spend from, charged to the workspace's payer (its owner)
   * through the spend port once the cost can be estimated, settled after (see docs/executions.md).
   * `policy` then limits calls per caller; this limits what they cost.
   */
  spend?: "execute";
};

/**
 * How an operation is served over REST (API keys). Path parameters and, for GET and DELETE, query
 * parameters are fields of the operation's input; for other methods the body holds the rest.
 */
export type RestBinding = {
  method: HttpMethod;
  /** OpenAPI-style path, e.g. `/v1/workspaces/{workspaceId}/prompts/{promptId}`. */
  path: string;
  /** @default 200 */
  successStatus?: number;
  /**
   * Path or query parameters whose text form differs from the input: each schema parses the text.
   * Its output is assigned to the input field of the same name, or spread into the input when no
   * field has that name (e.g. `{ref}` -> `{ version }` or `{ label }`).
   */
  params?: Record<string, z.ZodType>;
  /** Input fields a GET or DELETE takes from the query. @default every input field not in the path */
  queryFields?: string[];
  /** The response body when it differs from `output` (documented in OpenAPI). */
  response?: z.ZodType;
  /** Maps the service result to the REST response body. @default the result itself */
  present?: (result: never) => unknown;
};

/** What a transport hands an operation besides its input. */
export type OperationContext = {
  /** Set when the client accepts a stream (callables): partial output as it is produced. */
  onDelta?: (delta: string) => void;
};

/**
 * One operation of the product, declared once: the callable, the REST route and the OpenAPI entry
 * are derived from it. The input is parsed once, at the edge, with `input`; `run` receives typed
 * input and calls one service method, which checks `action` (roles for users, scopes for keys).
 */
export type Operation<D = unknown, I = unknown, O = unknown> = {
  /** Event name used in logs, e.g. `prompts.create`. */
  name: string;
  /** The exported callable's name; absent for REST-only operations. */
  callable?: string;
  rest?: RestBinding;
  summary: string;
  tags: string[];
  /** What the service checks: a role's grant for users, a scope for API keys; null when none applies. */
  action: Action | null;
  rateLimit: OperationRateLimit;
  input: z.ZodType<I, unknown>;
  /** What the operation returns (the REST response and the callable result). */
  output: z.ZodType;
  /** Largest accepted input in bytes. @default 1 MiB */
  maxInputBytes?: number;
  /** Calls the LLM provider (generation or embeddings): its function holds the provider key and may wait on retries. */
  usesLlm?: boolean;
  // A method, so operations of different domains fit one list of `Operation<Services>`.
  run(deps: D, principal: Principal, input: I, context: OperationContext): Promise<O>;
};

/** Declares an operation with its input type inferred from the schema. */
export function operation<D, S extends z.ZodType, O>(definition: Omit<Operation<D, z.output<S>, O>, "input"> & { input: S }): Operation<D, z.output<S>, O> {
  // A schema's parse result is its output type; zod's generic internals just cannot show it here.
  return definition as Operation<D, z.output<S>, O>;
}

/**
 * Runs an operation in-process exactly as a transport would after authentication: one parse of
 * the raw input, then the operation. For scripts, admin tools and tests; not rate limited.
 */
export async function invokeOperation<D, I, O>(op: Operation<D, I, O>, deps: D, principal: Principal, raw: unknown, context: OperationContext = {}): Promise<O> {
  return op.run(deps, principal, parseInput(op.input, raw, { maxBytes: op.maxInputBytes }), context);
}
