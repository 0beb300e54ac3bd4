import { z } from "zod";
import { ValidationError } from "../lib/errors";
import { parseInput } from "../lib/validation";
import type { HttpMethod, Operation, RestBinding } from "./operation";

/** An operation as the REST router serves it: where each input field comes from. */
export type RestRoute = {
  operation: Operation<unknown>;
  binding: RestBinding;
  method: HttpMethod;
  path: string;
  /** Path parameter names, in order. */
  pathNames: string[];
  /** Query parameter names: for GET and DELETE, every input field not in the path. */
  queryNames: string[];
  /** Whether the request has a JSON body (every method but GET and DELETE). */
  hasBody: boolean;
};

const PATH_PARAM = /\{(\w+)\}/g;

/** The REST route of an operation that has a REST binding. */
export function restRoute<D>(operation: Operation<D>): RestRoute {
  const binding = operation.rest;
  if (!binding) throw new Error(`Operation ${operation.name} has no REST binding.`);
  const pathNames = [...binding.path.matchAll(PATH_PARAM)].map((match) => match[1]!);
  const hasBody = binding.method !== "GET" && binding.method !== "DELETE";
  const fields = Object.keys(inputShape(operation.input));
  return {
    operation: operation as Operation<unknown>,
    binding,
    method: binding.method,
    path: binding.path,
    pathNames,
    queryNames: hasBody ? [] : (binding.queryFields ?? fields.filter((name) => !pathNames.includes(name))),
    hasBody,
  };
}

/** The object shape of an operation's input (every input is a `z.strictObject`, maybe refined). */
export function inputShape(schema: z.ZodType): Record<string, z.ZodType> {
  return schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
}

/**
 * The raw input of a REST request, before the one parse with the operation's schema: path
 * parameters, query parameters (text turned into the numbers, booleans and lists the schema
 * expects) and the body's fields. A field sent twice (path and body) keeps the path's value.
 */
export function restInput(route: RestRoute, raw: { params: Record<string, string>; query: Record<string, unknown>; body: unknown }): Record<string, unknown> {
  const shape = inputShape(route.operation.input);
  const input: Record<string, unknown> = {};
  if (route.hasBody) {
    if (raw.body !== undefined && (typeof raw.body !== "object" || raw.body === null || Array.isArray(raw.body))) {
      throw new ValidationError("The body must be a JSON object.", [{ path: "(root)", message: "Expected an object" }]);
    }
    Object.assign(input, raw.body);
  }
  for (const [name, value] of Object.entries(raw.query)) {
    if (!route.queryNames.includes(name) && !route.binding.params?.[name]) {
      throw new ValidationError(`Unknown query parameter '${name}'.`, [{ path: name, message: "Unrecognized key" }]);
    }
    assign(input, fromText(route, shape, name, value));
  }
  for (const name of route.pathNames) assign(input, fromText(route, shape, name, raw.params[name]));
  return input;
}

function assign(input: Record<string, unknown>, value: { field: string; value: unknown } | { spread: Record<string, unknown> }): void {
  if ("spread" in value) Object.assign(input, value.spread);
  else input[value.field] = value.value;
}

function fromText(route: RestRoute, shape: Record<string, z.ZodType>, name: string, text: unknown): { field: string; value: unknown } | { spread: Record<string, unknown> } {
  const custom = route.binding.params?.[name];
  if (custom) {
    const parsed = parseInput(custom, text);
    return name in shape ? { field: name, value: parsed } : { spread: parsed as Record<string, unknown> };
  }
  const kind = schemaKind(shape[name]);
  return { field: name, value: coerce(kind, text) };
}

/** Query strings carry text: numbers, booleans and lists are read from their text forms. */
function coerce(kind: string, text: unknown): unknown {
  if (Array.isArray(text) && kind !== "array") return text;
  if (typeof text !== "string") return text;
  if (kind === "number") return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  if (kind === "boolean") return text === "true" ? true : text === "false" ? false : text;
  if (kind === "array") return [text];
  return text;
}

/** The base type of a field schema, seen through optional, default, nullable and pipes. */
export function schemaKind(schema: z.ZodType | undefined): string {
  let current: unknown = schema;
  for (let depth = 0; depth < 10 && current; depth++) {
    const def = (current as { def?: { type?: string; innerType?: unknown; in?: unknown } }).def;
    if (!def?.type) return "unknown";
    if (def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "prefault" || def.type === "readonly") current = def.innerType;
    else if (def.type === "pipe") current = def.in;
    else return def.type;
  }
  return "unknown";
}
