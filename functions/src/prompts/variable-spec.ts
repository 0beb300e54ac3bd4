import type { FieldIssue } from "../lib/errors";
import { PROMPT_LIMITS, utf8Bytes } from "./prompt-limits";
import type { VariableSpec, VariableType } from "./prompt-types";

/**
 * Consistency rules of a declared variable, beyond what its field types say. Returns issues
 * addressed relative to the spec (`default`, `allowedValues.1`), empty when the spec is sound.
 *
 * - `required: true` has no default; `required: false` has one (an empty value must be chosen
 *   explicitly, e.g. `default: ""`, so nothing ever renders empty by accident).
 * - `default` and every allowed value have the variable's type; the default is an allowed value.
 * - `enum` needs `allowedValues`; `allowedValues` are for `string`, `number` and `enum` only;
 *   `maxLength` is for `string` only; allowed values are distinct.
 */
export function variableSpecIssues(spec: VariableSpec): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const hasDefault = spec.default !== undefined;

  if (spec.required && hasDefault) add("default", "A required variable cannot have a default; set required: false to make it optional");
  if (!spec.required && !hasDefault) add("default", "An optional variable needs a default (use \"\" for an empty string)");

  const allowed = spec.allowedValues;
  if (allowed !== undefined) {
    if (!ALLOWED_VALUES_TYPES.has(spec.type)) add("allowedValues", `allowedValues is not supported for type ${spec.type}`);
    allowed.forEach((value, i) => {
      if (spec.type === "string" && typeof value !== "string") add(`allowedValues.${i}`, "Must be a string for a string variable");
      if (spec.type === "number" && typeof value !== "number") add(`allowedValues.${i}`, "Must be a number for a number variable");
      if (allowed.indexOf(value) !== i) add(`allowedValues.${i}`, "Duplicate allowed value");
    });
  } else if (spec.type === "enum") {
    add("allowedValues", "An enum variable needs allowedValues");
  }
  if (spec.maxLength !== undefined && spec.type !== "string") add("maxLength", `maxLength is only supported for type string`);

  if (hasDefault) {
    const problem = valueProblem(spec, spec.default);
    if (problem) add("default", problem);
  }
  return issues;
}

const ALLOWED_VALUES_TYPES: ReadonlySet<VariableType> = new Set(["string", "number", "enum"]);

/**
 * Why `value` is not acceptable for `spec`, or null when it is. No coercion: `"3"` is not a
 * number, `"true"` is not a boolean, and `null` is a value only for `json`.
 */
export function valueProblem(spec: VariableSpec, value: unknown): string | null {
  switch (spec.type) {
    case "string": {
      if (typeof value !== "string") return `Must be a string, got ${describe(value)}`;
      if (spec.maxLength !== undefined && value.length > spec.maxLength) return `Must be at most ${spec.maxLength} characters`;
      if (utf8Bytes(value) > PROMPT_LIMITS.valueBytes) return `Must be at most ${PROMPT_LIMITS.valueBytes} bytes`;
      return notAllowed(spec, value);
    }
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return `Must be a finite number, got ${describe(value)}`;
      return notAllowed(spec, value);
    case "boolean":
      return typeof value === "boolean" ? null : `Must be a boolean, got ${describe(value)}`;
    case "enum":
      if (typeof value !== "string" && typeof value !== "number") return `Must be one of ${list(spec.allowedValues)}, got ${describe(value)}`;
      return notAllowed(spec, value);
    case "json": {
      if (value === undefined) return "Must be a JSON value";
      const serialized = JSON.stringify(value);
      if (serialized === undefined) return "Must be a JSON value";
      if (utf8Bytes(serialized) > PROMPT_LIMITS.valueBytes) return `Must serialise to at most ${PROMPT_LIMITS.valueBytes} bytes`;
      return null;
    }
  }
}

/** The text a valid value renders as: strings verbatim, numbers and booleans as in JSON, json compact. */
export function renderValue(spec: VariableSpec, value: unknown): string {
  if (spec.type === "json") return JSON.stringify(value);
  return String(value);
}

function notAllowed(spec: VariableSpec, value: string | number): string | null {
  if (spec.allowedValues === undefined || spec.allowedValues.includes(value)) return null;
  return `Must be one of ${list(spec.allowedValues)}`;
}

function list(values: ReadonlyArray<string | number> | undefined): string {
  const shown = (values ?? []).slice(0, 10).map((v) => JSON.stringify(v));
  return (values?.length ?? 0) > 10 ? `${shown.join(", ")}, ...` : shown.join(", ");
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : typeof value;
}
