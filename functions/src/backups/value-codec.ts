import { VectorValue } from "@google-cloud/firestore";
import { DocumentReference, FieldValue, GeoPoint, Timestamp, type Firestore } from "firebase-admin/firestore";

/**
 * Firestore values as JSON for the hourly files, without loss: each non-JSON type is an object
 * with one `$`-key (`$ts`, `$geo`, `$bytes`, `$ref`, `$vector`, `$num` for NaN/±Infinity); a
 * map that itself has a single `$`-key is wrapped in `$map` so it cannot be mistaken for one.
 */
export type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };

export function encodeValue(value: unknown): Encoded {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : { $num: String(value) };
  if (value instanceof Timestamp) return { $ts: [value.seconds, value.nanoseconds] };
  if (value instanceof GeoPoint) return { $geo: [value.latitude, value.longitude] };
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString("base64") };
  if (value instanceof DocumentReference) return { $ref: value.path };
  if (value instanceof VectorValue) return { $vector: value.toArray() };
  if (Array.isArray(value)) return value.map(encodeValue);
  if (typeof value === "object") {
    const out: Record<string, Encoded> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = encodeValue(v);
    const keys = Object.keys(out);
    return keys.length === 1 && keys[0]!.startsWith("$") ? { $map: out } : out;
  }
  throw new Error(`Cannot encode a ${typeof value} value`);
}

export function decodeValue(value: Encoded, db: Pick<Firestore, "doc">): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => decodeValue(v, db));
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0]!.startsWith("$")) {
    const inner = value[keys[0]!]!;
    switch (keys[0]) {
      case "$num":
        return Number(inner);
      case "$ts":
        return new Timestamp((inner as number[])[0]!, (inner as number[])[1]!);
      case "$geo":
        return new GeoPoint((inner as number[])[0]!, (inner as number[])[1]!);
      case "$bytes":
        return Buffer.from(inner as string, "base64");
      case "$ref":
        return db.doc(inner as string);
      case "$vector":
        return FieldValue.vector(inner as number[]);
      case "$map":
        return decodeMap(inner as Record<string, Encoded>, db);
      default:
        throw new Error(`Unknown tag ${keys[0]}`);
    }
  }
  return decodeMap(value, db);
}

function decodeMap(value: Record<string, Encoded>, db: Pick<Firestore, "doc">): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = decodeValue(v, db);
  return out;
}
