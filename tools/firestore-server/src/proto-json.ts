/**
 * Stored documents in the proto3 JSON mapping of `google.firestore.v1.Document`, for HTTP
 * consumers (the change feed): int64 as decimal strings, bytes as base64, timestamps as RFC 3339,
 * non-finite doubles as "NaN" / "Infinity" / "-Infinity", null as `null`.
 *
 * Empty `fields` / `values` are written out (proto3 JSON allows emitting defaults) so a reader
 * never has to tell "empty" from "absent".
 */
import { documentName, type DbName } from "./paths";
import type { StoredDoc } from "./store";
import type { Micros } from "./time";
import type { Fields, Timestamp, Value } from "./types";

export type JsonValue =
  | { nullValue: null }
  | { booleanValue: boolean }
  | { integerValue: string }
  | { doubleValue: number | "NaN" | "Infinity" | "-Infinity" }
  | { timestampValue: string }
  | { stringValue: string }
  | { bytesValue: string }
  | { referenceValue: string }
  | { geoPointValue: { latitude: number; longitude: number } }
  | { arrayValue: { values: JsonValue[] } }
  | { mapValue: { fields: Record<string, JsonValue> } };

export interface JsonDocument {
  name: string;
  fields: Record<string, JsonValue>;
  createTime: string;
  updateTime: string;
}

/**
 * RFC 3339 in UTC with all nine fractional digits (one of the widths proto3 JSON emits), so
 * values sort as strings and never lose precision.
 */
export function rfc3339(seconds: number, nanos: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, 19)}.${String(nanos).padStart(9, "0")}Z`;
}

export function microsToRfc3339(us: Micros): string {
  const seconds = Math.floor(us / 1_000_000);
  return rfc3339(seconds, (us - seconds * 1_000_000) * 1000);
}

function timestampToRfc3339(ts: Timestamp): string {
  return rfc3339(Number(ts.seconds ?? 0), ts.nanos ?? 0);
}

function doubleToJson(d: number): number | "NaN" | "Infinity" | "-Infinity" {
  if (Number.isNaN(d)) return "NaN";
  if (d === Infinity) return "Infinity";
  if (d === -Infinity) return "-Infinity";
  return d;
}

export function valueToJson(v: Value): JsonValue {
  if (v.null_value !== undefined) return { nullValue: null };
  if (v.boolean_value !== undefined) return { booleanValue: v.boolean_value };
  if (v.integer_value !== undefined) return { integerValue: String(v.integer_value) };
  if (v.double_value !== undefined) return { doubleValue: doubleToJson(v.double_value) };
  if (v.timestamp_value !== undefined) return { timestampValue: timestampToRfc3339(v.timestamp_value) };
  if (v.string_value !== undefined) return { stringValue: v.string_value };
  if (v.bytes_value !== undefined) return { bytesValue: Buffer.from(v.bytes_value).toString("base64") };
  if (v.reference_value !== undefined) return { referenceValue: v.reference_value };
  if (v.geo_point_value !== undefined) {
    return { geoPointValue: { latitude: v.geo_point_value.latitude ?? 0, longitude: v.geo_point_value.longitude ?? 0 } };
  }
  if (v.array_value !== undefined) return { arrayValue: { values: (v.array_value.values ?? []).map(valueToJson) } };
  if (v.map_value !== undefined) return { mapValue: { fields: fieldsToJson(v.map_value.fields ?? {}) } };
  // A Value with no member set reads as null, as kindOf() classifies it.
  return { nullValue: null };
}

function fieldsToJson(fields: Fields): Record<string, JsonValue> {
  // No prototype: a field named "__proto__" must stay a field.
  const out = Object.create(null) as Record<string, JsonValue>;
  for (const [k, v] of Object.entries(fields)) out[k] = valueToJson(v);
  return out;
}

export function documentToJson(db: DbName, doc: StoredDoc): JsonDocument {
  return {
    name: documentName(db, doc.path),
    fields: fieldsToJson(doc.fields),
    createTime: microsToRfc3339(doc.createTime),
    updateTime: microsToRfc3339(doc.updateTime),
  };
}
