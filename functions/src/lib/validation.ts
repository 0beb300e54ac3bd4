import { z } from "zod";
import { PayloadTooLargeError, ValidationError, type FieldIssue } from "./errors";

/** Outside input larger than this is refused before it is parsed further. @default 1 MiB */
export const DEFAULT_MAX_INPUT_BYTES = 1024 * 1024;

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const MAX_NESTING = 32;

export type ParseOptions = {
  /** @default DEFAULT_MAX_INPUT_BYTES */
  maxBytes?: number;
};

/**
 * Validates outside input (callable data, REST body or query, Pub/Sub payload, trigger document)
 * against a zod schema. Throws `ValidationError` naming each offending field, or
 * `PayloadTooLargeError`; never returns partially valid data.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, options: ParseOptions = {}): z.output<S> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const size = jsonByteLength(input);
  if (size > maxBytes) {
    throw new PayloadTooLargeError(`Input is ${size} bytes; the limit is ${maxBytes} bytes.`, { limit: maxBytes, size });
  }
  assertSafeKeys(input, "", 0);
  const result = schema.safeParse(input);
  if (!result.success) throw validationErrorFrom(result.error);
  return result.data;
}

export function validationErrorFrom(error: z.ZodError): ValidationError {
  const issues: FieldIssue[] = error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
  const first = issues[0];
  const summary = first ? `Invalid ${first.path}: ${first.message}` : "Invalid input.";
  return new ValidationError(issues.length > 1 ? `${summary} (and ${issues.length - 1} more)` : summary, issues);
}

function jsonByteLength(input: unknown): number {
  if (input === undefined) return 0;
  try {
    return Buffer.byteLength(JSON.stringify(input) ?? "", "utf8");
  } catch {
    throw new ValidationError("Input is not serialisable JSON.");
  }
}

/** Keys that could pollute prototypes are refused anywhere in the input, as is absurd nesting. */
function assertSafeKeys(value: unknown, path: string, depth: number): void {
  if (value === null || typeof value !== "object") return;
  if (depth > MAX_NESTING) throw new ValidationError(`Input nests deeper than ${MAX_NESTING} levels.`, [{ path: path || "(root)", message: "Too deeply nested" }]);
  // A decoder that copies keys with `obj[key] = ...` (the callable protocol's does) turns a JSON
  // `"__proto__"` key into the object's prototype: a plain-data prototype is that key, arrived.
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== null && proto !== Object.prototype && !Array.isArray(value) && !Object.prototype.hasOwnProperty.call(proto, "constructor")) {
    const child = path ? `${path}.__proto__` : "__proto__";
    throw new ValidationError(`Invalid ${child}: forbidden key.`, [{ path: child, message: "Forbidden key" }]);
  }
  for (const key of Object.keys(value)) {
    const child = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) {
      throw new ValidationError(`Invalid ${child}: forbidden key.`, [{ path: child, message: "Forbidden key" }]);
    }
    assertSafeKeys((value as Record<string, unknown>)[key], child, depth + 1);
  }
}

/** Common field schemas, so every endpoint spells the same limits the same way. */
export const fields = {
  id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "Must be 1-128 characters of letters, digits, '-' or '_'"),
  name: z.string().trim().min(1, "Must not be empty").max(200, "Must be at most 200 characters"),
  description: z.string().max(2000, "Must be at most 2000 characters"),
  tag: z.string().trim().min(1).max(50).regex(/^[\p{L}\p{N} _.-]+$/u, "Must be letters, digits, space, '.', '_' or '-'"),
};
