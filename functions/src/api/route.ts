import type { z } from "zod";
import type { ApiKeyScope } from "../identity/permissions";
import type { Principal } from "../identity/principal";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Which limit policy a route spends from, and how much. Required: no route without a limit. */
export type RouteRateLimit = { policy: string; cost?: number };

export type RouteContext<P, Q, B> = {
  principal: Extract<Principal, { kind: "apiKey" }>;
  params: P;
  query: Q;
  body: B;
  requestId: string;
};

type AnyObject = z.ZodType<Record<string, unknown>>;

/**
 * A REST route declared together with its request and response schemas, so requests are
 * validated at the edge and the OpenAPI document is generated from the same declarations.
 */
export type RouteDefinition<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> = {
  method: HttpMethod;
  /** OpenAPI-style path, e.g. `/v1/workspaces/{workspaceId}/prompts/{promptId}`. */
  path: string;
  summary: string;
  tags: string[];
  /** The API key scope the route needs; services check it again against the workspace. */
  scope: ApiKeyScope;
  rateLimit: RouteRateLimit;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** @default 200 */
  successStatus?: number;
  /** Largest accepted JSON body in bytes. @default 1 MiB */
  maxBodyBytes?: number;
  handle: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<z.input<R>>;
};

/** Declares a route with full type inference from its schemas. */
export function route<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, R extends z.ZodType>(
  definition: RouteDefinition<P, Q, B, R>,
): RouteDefinition {
  return definition as unknown as RouteDefinition;
}
