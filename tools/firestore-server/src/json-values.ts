/**
 * The reverse of proto-json.ts: proto3 JSON values (as exported files hold them) back into the
 * decoded message shapes the engine stores. Anything malformed is refused, never guessed.
 */
import { invalidArgument } from "./errors";
import type { JsonValue } from "./proto-json";
import type { Fields, Timestamp, Value } from "./types";

function timestampFromRfc3339(text: string): Timestamp {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!m) throw invalidArgument(`Invalid timestamp in export: ${text}`);
  const seconds = Math.floor(Date.parse(`${m[1]}Z`) / 1000);
  return { seconds: String(seconds), nanos: Number((m[2] ?? "").padEnd(9, "0")) };
}

function doubleFromJson(d: number | string): number {
  if (d === "NaN") return NaN;
  if (d === "Infinity") return Infinity;
  if (d === "-Infinity") return -Infinity;
  if (typeof d !== "number") throw invalidArgument(`Invalid double in export: ${String(d)}`);
  return d;
}

export function valueFromJson(v: JsonValue): Value {
  if ("nullValue" in v) return { null_value: "NULL_VALUE" };
  if ("booleanValue" in v) return { boolean_value: v.booleanValue };
  if ("integerValue" in v) return { integer_value: v.integerValue };
  if ("doubleValue" in v) return { double_value: doubleFromJson(v.doubleValue) };
  if ("timestampValue" in v) return { timestamp_value: timestampFromRfc3339(v.timestampValue) };
  if ("stringValue" in v) return { string_value: v.stringValue };
  if ("bytesValue" in v) return { bytes_value: Buffer.from(v.bytesValue, "base64") };
  if ("referenceValue" in v) return { reference_value: v.referenceValue };
  if ("geoPointValue" in v) return { geo_point_value: { latitude: v.geoPointValue.latitude, longitude: v.geoPointValue.longitude } };
  if ("arrayValue" in v) return { array_value: { values: (v.arrayValue.values ?? []).map(valueFromJson) } };
  if ("mapValue" in v) return { map_value: { fields: fieldsFromJson(v.mapValue.fields ?? {}) } };
  throw invalidArgument("Unknown value kind in export");
}

export function fieldsFromJson(fields: Record<string, JsonValue>): Fields {
  // No prototype: a field named "__proto__" must stay a field.
  const out = Object.create(null) as Fields;
  for (const [k, v] of Object.entries(fields)) out[k] = valueFromJson(v);
  return out;
}
