/**
 * Field transforms (server timestamp, increment, maximum, minimum, array union/remove), applied
 * in order after the write's update. Numeric rules follow the API docs: int op int stays an
 * integer (saturating on overflow), any double makes the result a double, and a non-numeric
 * current value is replaced by the operand.
 */
import { invalidArgument } from "./errors";
import { parseFieldPath } from "./paths";
import { toTimestamp, type Micros } from "./time";
import type { FieldTransform, Fields, Value } from "./types";
import { arrayValues, compareValues, getField, isNumber, setField, valuesEqual } from "./values";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function increment(current: Value | undefined, operand: Value): Value {
  if (!current || !isNumber(current)) return operand;
  if (current.integer_value !== undefined && operand.integer_value !== undefined) {
    let sum = BigInt(current.integer_value) + BigInt(operand.integer_value);
    if (sum > INT64_MAX) sum = INT64_MAX;
    if (sum < INT64_MIN) sum = INT64_MIN;
    return { integer_value: sum.toString() };
  }
  return { double_value: Number(current.integer_value ?? current.double_value) + Number(operand.integer_value ?? operand.double_value) };
}

function extremum(current: Value | undefined, operand: Value, wantMax: boolean): Value {
  if (!current || !isNumber(current)) return operand;
  const isNaN = (v: Value): boolean => v.double_value !== undefined && Number.isNaN(v.double_value);
  if (isNaN(current)) return current;
  if (isNaN(operand)) return operand;
  const c = compareValues(operand, current);
  // Equivalent values (3 and 3.0) leave the field unchanged.
  if (c === 0) return current;
  return (c > 0) === wantMax ? operand : current;
}

/** Applies the transforms to `fields` (mutated) and returns their results. */
export function applyTransforms(fields: Fields, transforms: readonly FieldTransform[], commitTime: Micros): Value[] {
  const results: Value[] = [];
  for (const t of transforms) {
    if (!t.field_path) throw invalidArgument("A field transform needs a field_path.");
    const segments = parseFieldPath(t.field_path);
    const current = getField(fields, segments);
    let next: Value;
    if (t.set_to_server_value !== undefined) {
      if (t.set_to_server_value !== "REQUEST_TIME") throw invalidArgument(`Unsupported server value ${t.set_to_server_value}`);
      next = { timestamp_value: toTimestamp(commitTime) };
    } else if (t.increment !== undefined) {
      if (!isNumber(t.increment)) throw invalidArgument("increment requires a numeric operand");
      next = increment(current, t.increment);
    } else if (t.maximum !== undefined) {
      next = extremum(current, t.maximum, true);
    } else if (t.minimum !== undefined) {
      next = extremum(current, t.minimum, false);
    } else if (t.append_missing_elements !== undefined) {
      const values = current?.array_value ? [...arrayValues(current)] : [];
      for (const e of t.append_missing_elements.values ?? []) {
        if (!values.some((v) => valuesEqual(v, e))) values.push(e);
      }
      next = { array_value: { values } };
    } else if (t.remove_all_from_array !== undefined) {
      const remove = t.remove_all_from_array.values ?? [];
      const values = arrayValues(current?.array_value ? current : undefined).filter((v) => !remove.some((r) => valuesEqual(v, r)));
      next = { array_value: { values } };
    } else {
      throw invalidArgument("Empty field transform");
    }
    setField(fields, segments, next);
    results.push(next);
  }
  return results;
}
