/**
 * Evaluation of `StructuredQuery.where`: composite AND/OR filters nested arbitrarily, field
 * filters and unary filters, with Firestore semantics (a filter only matches documents that
 * have the field; range filters are bounded to the operand's type; `!=` / `not-in` exclude
 * missing fields and null).
 */
import { invalidArgument } from "./errors";
import { NAME_FIELD, parseFieldPath } from "./paths";
import type { Filter, Value } from "./types";
import { arrayValues, compareValues, isNaNValue, sameTypeClass, valuesEqual } from "./values";

/** Reads a field of a document for query purposes; `__name__` is the document reference. */
export type FieldReader = (fieldPath: string) => Value | undefined;

function fieldMatches(op: string, v: Value | undefined, operand: Value): boolean {
  if (v === undefined) return false;
  switch (op) {
    case "EQUAL":
      return valuesEqual(v, operand);
    case "NOT_EQUAL":
      return v.null_value === undefined && !valuesEqual(v, operand);
    case "LESS_THAN":
      return sameTypeClass(v, operand) && !isNaNValue(v) && compareValues(v, operand) < 0;
    case "LESS_THAN_OR_EQUAL":
      return sameTypeClass(v, operand) && !isNaNValue(v) && compareValues(v, operand) <= 0;
    case "GREATER_THAN":
      return sameTypeClass(v, operand) && !isNaNValue(v) && !isNaNValue(operand) && compareValues(v, operand) > 0;
    case "GREATER_THAN_OR_EQUAL":
      return sameTypeClass(v, operand) && !isNaNValue(v) && !isNaNValue(operand) && compareValues(v, operand) >= 0;
    case "ARRAY_CONTAINS":
      return v.array_value !== undefined && arrayValues(v).some((e) => valuesEqual(e, operand));
    case "ARRAY_CONTAINS_ANY": {
      if (v.array_value === undefined) return false;
      const wanted = arrayValues(operand);
      return arrayValues(v).some((e) => wanted.some((w) => valuesEqual(e, w)));
    }
    case "IN":
      return arrayValues(operand).some((w) => valuesEqual(v, w));
    case "NOT_IN": {
      const excluded = arrayValues(operand);
      // `not-in [..., null]` matches nothing: null is never "not in" a list that holds null.
      if (excluded.some((w) => w.null_value !== undefined)) return false;
      return v.null_value === undefined && !excluded.some((w) => valuesEqual(v, w));
    }
    default:
      throw invalidArgument(`Unsupported field filter operator ${op}`);
  }
}

function unaryMatches(op: string, v: Value | undefined): boolean {
  if (v === undefined) return false;
  switch (op) {
    case "IS_NULL":
      return v.null_value !== undefined;
    case "IS_NOT_NULL":
      return v.null_value === undefined;
    case "IS_NAN":
      return isNaNValue(v);
    case "IS_NOT_NAN":
      return v.null_value === undefined && !isNaNValue(v);
    default:
      throw invalidArgument(`Unsupported unary filter operator ${op}`);
  }
}

export function matchesFilter(filter: Filter | undefined, read: FieldReader): boolean {
  if (!filter) return true;
  if (filter.composite_filter) {
    const parts = filter.composite_filter.filters ?? [];
    if (filter.composite_filter.op === "OR") return parts.length === 0 || parts.some((f) => matchesFilter(f, read));
    return parts.every((f) => matchesFilter(f, read));
  }
  if (filter.field_filter) {
    const ff = filter.field_filter;
    return fieldMatches(ff.op ?? "", read(ff.field?.field_path ?? ""), ff.value ?? { null_value: "NULL_VALUE" });
  }
  if (filter.unary_filter) {
    return unaryMatches(filter.unary_filter.op ?? "", read(filter.unary_filter.field?.field_path ?? ""));
  }
  return true;
}

const INEQUALITY_OPS = new Set([
  "LESS_THAN",
  "LESS_THAN_OR_EQUAL",
  "GREATER_THAN",
  "GREATER_THAN_OR_EQUAL",
  "NOT_EQUAL",
  "NOT_IN",
  "IS_NOT_NULL",
  "IS_NOT_NAN",
]);

/** Field paths used with inequality operators anywhere in the filter tree. */
export function inequalityFields(filter: Filter | undefined, out: Set<string> = new Set()): Set<string> {
  if (!filter) return out;
  if (filter.composite_filter) {
    for (const f of filter.composite_filter.filters ?? []) inequalityFields(f, out);
  } else if (filter.field_filter && INEQUALITY_OPS.has(filter.field_filter.op ?? "")) {
    out.add(filter.field_filter.field?.field_path ?? "");
  } else if (filter.unary_filter && INEQUALITY_OPS.has(filter.unary_filter.op ?? "")) {
    out.add(filter.unary_filter.field?.field_path ?? "");
  }
  return out;
}

/** Validates field paths early so malformed queries fail with INVALID_ARGUMENT. */
export function validateFilter(filter: Filter | undefined): void {
  if (!filter) return;
  if (filter.composite_filter) for (const f of filter.composite_filter.filters ?? []) validateFilter(f);
  const path = filter.field_filter?.field?.field_path ?? filter.unary_filter?.field?.field_path;
  if (path !== undefined && path !== NAME_FIELD) parseFieldPath(path);
}

