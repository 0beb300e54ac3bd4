import { z } from "zod";
import type { RestRoute } from "./rest-route";

/**
 * The OpenAPI 3.1 document of the REST API, generated from the same operation declarations the
 * router serves, so the two cannot drift. Request schemas describe what clients send
 * (zod input side), response schemas what they get back (output side).
 */
export type OpenApiDocument = {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string; description: string }>;
  security: Array<Record<string, string[]>>;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, unknown>>;
  /** Requests we send to subscribers (OpenAPI 3.1 `webhooks`), one per event type. */
  webhooks?: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
};

type JsonSchema = { type?: string; properties?: Record<string, JsonSchema>; required?: string[]; description?: string; [key: string]: unknown };

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/** Path and query parameters: each described by its own text schema, or by its input field. */
function parameters(route: RestRoute, input: JsonSchema): unknown[] {
  const required = new Set(input.required ?? []);
  const describe = (name: string, location: "path" | "query") => {
    const custom = route.binding.params?.[name];
    const schema = custom ? jsonSchema(custom, "input") : (input.properties?.[name] ?? {});
    return {
      name,
      in: location,
      required: location === "path" || (custom ? !custom.safeParse(undefined).success : required.has(name)),
      schema,
      ...(schema.description ? { description: schema.description } : {}),
    };
  };
  const customQuery = Object.keys(route.binding.params ?? {}).filter((name) => !route.pathNames.includes(name));
  return [...route.pathNames.map((name) => describe(name, "path")), ...[...route.queryNames.filter((name) => !customQuery.includes(name)), ...customQuery].map((name) => describe(name, "query"))];
}

/** The body: the input without the fields that travel in the path. */
function requestBody(route: RestRoute, input: JsonSchema): JsonSchema {
  const properties = Object.fromEntries(Object.entries(input.properties ?? {}).filter(([name]) => !route.pathNames.includes(name)));
  const required = (input.required ?? []).filter((name) => !route.pathNames.includes(name));
  const { required: _all, ...rest } = input;
  return { ...rest, properties, ...(required.length > 0 ? { required } : {}) };
}

function operationId(route: RestRoute): string {
  const words = route.path
    .replace(/^\/v\d+\//, "")
    .split("/")
    .filter((part) => part && !part.startsWith("{"))
    .map((part) => part.replace(/[^A-Za-z0-9]+(.)/g, (_m, c: string) => c.toUpperCase()));
  const name = words.map((word, i) => (i === 0 ? word : word[0]?.toUpperCase() + word.slice(1))).join("");
  return `${route.method.toLowerCase()}${name[0]?.toUpperCase() ?? ""}${name.slice(1)}${route.path.endsWith("}") ? "ById" : ""}`;
}

const RATE_LIMIT_HEADERS = {
  "X-RateLimit-Limit": { $ref: "#/components/headers/X-RateLimit-Limit" },
  "X-RateLimit-Remaining": { $ref: "#/components/headers/X-RateLimit-Remaining" },
  "X-RateLimit-Reset": { $ref: "#/components/headers/X-RateLimit-Reset" },
};

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

/** An event type we deliver to webhook endpoints: its full payload schema and what it means. */
export type WebhookEventDoc = { payload: z.ZodType; summary: string };

const SIGNATURE_HEADERS = [
  { name: "webhook-id", in: "header", required: true, description: "`msg_<deliveryId>`: the same on every attempt, retry and replay of this event for this endpoint (deduplicate on it).", schema: { type: "string" } },
  { name: "webhook-timestamp", in: "header", required: true, description: "When this attempt was signed, in Unix seconds.", schema: { type: "string" } },
  { name: "webhook-signature", in: "header", required: true, description: "Standard Webhooks: space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>` (two during a secret rotation).", schema: { type: "string" } },
];

/** The OpenAPI 3.1 `webhooks` section: one POST per event type, its payload as the request body. */
function webhookSection(events: Record<string, WebhookEventDoc>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(events).map(([type, event]) => [
      type,
      {
        post: {
          operationId: `webhook_${type.replace(/\W+/g, "_")}`,
          summary: event.summary,
          tags: ["webhooks"],
          parameters: SIGNATURE_HEADERS,
          requestBody: { required: true, content: { "application/json": { schema: jsonSchema(event.payload, "output") } } },
          responses: {
            "2XX": { description: "Received. Any 2xx ends the delivery." },
            "410": { description: "Gone: the endpoint is disabled at once and the delivery dead-lettered." },
            default: { description: "Any other answer, a timeout (30 s) or a network error: retried with backoff (429/503 honour Retry-After)." },
          },
        },
      },
    ]),
  );
}

export function buildOpenApiDocument(routes: RestRoute[], options: { version: string; serverUrl: string; webhooks?: Record<string, WebhookEventDoc> }): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  const ids = new Set<string>();
  for (const route of routes) {
    let id = operationId(route);
    while (ids.has(id)) id = `${id}_`;
    ids.add(id);
    const op = route.operation;
    const input = jsonSchema(op.input, "input");
    const status = String(route.binding.successStatus ?? 200);
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      operationId: id,
      summary: op.summary,
      tags: op.tags,
      ...(op.action ? { "x-required-scope": op.action } : {}),
      "x-rate-limit-policy": op.rateLimit.policy,
      ...(op.rateLimit.cost !== undefined ? { "x-rate-limit-cost": op.rateLimit.cost } : {}),
      ...(op.rateLimit.spend ? { "x-spend-policy": op.rateLimit.spend } : {}),
      parameters: parameters(route, input),
      ...(route.hasBody && Object.keys(requestBody(route, input).properties ?? {}).length > 0
        ? { requestBody: { required: true, content: { "application/json": { schema: requestBody(route, input) } } } }
        : {}),
      responses: {
        [status]: status === "204" ? { description: "Done.", headers: RATE_LIMIT_HEADERS } : { description: "Success.", headers: RATE_LIMIT_HEADERS, content: { "application/json": { schema: jsonSchema(route.binding.response ?? op.output, "output") } } },
        "400": errorResponse("Invalid input: `error.details.issues` names each field."),
        "401": errorResponse("Missing, invalid, expired or revoked API key."),
        "403": errorResponse("The key lacks the scope, or the client IP is banned."),
        "404": errorResponse("No such resource in the key's workspace."),
        "412": errorResponse("A precondition failed, or a challenge is required."),
        "413": errorResponse("Body too large."),
        "429": {
          description: "Rate limit exceeded. `Retry-After` says when to try again.",
          headers: { ...RATE_LIMIT_HEADERS, "Retry-After": { $ref: "#/components/headers/Retry-After" } },
          content: { "application/json": { schema: { $ref: "#/components/schemas/RateLimitError" } } },
        },
        "503": errorResponse("A dependency is unavailable; retry later."),
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "RAG Prompt Library REST API",
      version: options.version,
      description: "Server-to-server API of RAG Prompt Library. Authenticate with a workspace API key: `Authorization: Bearer rpl_...`.",
    },
    servers: [{ url: options.serverUrl, description: "The `api` function (local emulator URL shown; use your deployed function URL)." }],
    security: [{ apiKey: [] }],
    tags: [...new Set(routes.flatMap((route) => route.operation.tags))].map((name) => ({ name })),
    paths,
    ...(options.webhooks ? { webhooks: webhookSection(options.webhooks) } : {}),
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", bearerFormat: "rpl_<keyId>_<secret>" } },
      headers: {
        "X-RateLimit-Limit": { description: "Requests allowed in the binding window.", schema: { type: "integer" } },
        "X-RateLimit-Remaining": { description: "Requests left in the binding window.", schema: { type: "integer" } },
        "X-RateLimit-Reset": { description: "Seconds until the binding window resets.", schema: { type: "integer" } },
        "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer" } },
      },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: { code: { type: "string" }, message: { type: "string" }, details: { type: "object" } },
            },
          },
        },
        RateLimitError: {
          allOf: [
            { $ref: "#/components/schemas/Error" },
            { type: "object", required: ["retry_after", "limit", "remaining"], properties: { retry_after: { type: "integer" }, limit: { type: "integer" }, remaining: { type: "integer", const: 0 } } },
          ],
        },
      },
    },
  };
}
