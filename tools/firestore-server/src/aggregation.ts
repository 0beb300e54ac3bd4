/**
 * Aggregations over a query's result: count (with up_to), sum and avg. sum and avg only look at
 * numeric values (documents missing the field or holding another type are ignored); a sum of
 * integers stays an integer unless it overflows int64, avg is always a double and null when
 * there is nothing to average.
 *
 * As documented for production, a query with several aggregations includes only the documents
 * that contain every field of every aggregation (whatever its type), so its `count` can be
 * smaller than a plain count. A single sum/avg is unaffected: it ignores those documents anyway.
 */
import { invalidArgument } from "./errors";
import { parseFieldPath } from "./paths";
import type { StoredDoc } from "./store";
import type { Aggregation, Value } from "./types";
import { getField } from "./values";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function sum(docs: StoredDoc[], segments: string[]): Value {
  let intSum = 0n;
  let doubleSum = 0;
  let sawDouble = false;
  for (const d of docs) {
    const v = getField(d.fields, segments);
    if (!v) continue;
    if (v.integer_value !== undefined) intSum += BigInt(v.integer_value);
    else if (v.double_value !== undefined) {
      doubleSum += v.double_value;
      sawDouble = true;
    }
  }
  if (!sawDouble && intSum <= INT64_MAX && intSum >= INT64_MIN) return { integer_value: intSum.toString() };
  return { double_value: Number(intSum) + doubleSum };
}

function avg(docs: StoredDoc[], segments: string[]): Value {
  let total = 0;
  let count = 0;
  for (const d of docs) {
    const v = getField(d.fields, segments);
    if (!v) continue;
    if (v.integer_value !== undefined) total += Number(v.integer_value);
    else if (v.double_value !== undefined) total += v.double_value;
    else continue;
    count++;
  }
  return count === 0 ? { null_value: "NULL_VALUE" } : { double_value: total / count };
}

function aggregatedFields(aggregations: readonly Aggregation[]): string[][] {
  const out: string[][] = [];
  for (const a of aggregations) {
    const path = a.sum?.field?.field_path ?? a.avg?.field?.field_path;
    if (path !== undefined) out.push(parseFieldPath(path));
  }
  return out;
}

export function aggregate(queryDocs: StoredDoc[], aggregations: readonly Aggregation[]): Record<string, Value> {
  const fields = aggregatedFields(aggregations);
  const docs = fields.length === 0 ? queryDocs : queryDocs.filter((d) => fields.every((f) => getField(d.fields, f) !== undefined));
  const out: Record<string, Value> = {};
  aggregations.forEach((a, i) => {
    const alias = a.alias || `field_${i + 1}`;
    if (a.count) {
      const upTo = a.count.up_to?.value;
      const n = upTo !== undefined ? Math.min(docs.length, Number(upTo)) : docs.length;
      out[alias] = { integer_value: String(n) };
    } else if (a.sum) {
      out[alias] = sum(docs, parseFieldPath(a.sum.field?.field_path ?? ""));
    } else if (a.avg) {
      out[alias] = avg(docs, parseFieldPath(a.avg.field?.field_path ?? ""));
    } else {
      throw invalidArgument("Unsupported aggregation.");
    }
  });
  return out;
}
