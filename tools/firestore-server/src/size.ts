/**
 * Storage size of a document per Firestore's documented rules
 * (https://firebase.google.com/docs/firestore/storage-size): name size + sum of field name and
 * value sizes + 32 bytes. Production rejects documents above 1 MiB (1,048,576 bytes).
 */
import type { Fields, Value } from "./types";

export const MAX_DOCUMENT_SIZE = 1_048_576;

const utf8 = (s: string): number => Buffer.byteLength(s, "utf8");

/** Each segment's UTF-8 length + 1, plus 16 for the name itself. */
export function documentNameSize(path: string): number {
  let size = 16;
  for (const segment of path.split("/")) size += utf8(segment) + 1;
  return size;
}

function valueSize(v: Value): number {
  if (v.null_value !== undefined || v.boolean_value !== undefined) return 1;
  if (v.integer_value !== undefined || v.double_value !== undefined || v.timestamp_value !== undefined) return 8;
  if (v.string_value !== undefined) return utf8(v.string_value) + 1;
  if (v.bytes_value !== undefined) return v.bytes_value.length;
  if (v.reference_value !== undefined) {
    const i = v.reference_value.indexOf("/documents/");
    return documentNameSize(i < 0 ? v.reference_value : v.reference_value.slice(i + "/documents/".length));
  }
  if (v.geo_point_value !== undefined) return 16;
  if (v.array_value !== undefined) {
    let size = 0;
    for (const e of v.array_value.values ?? []) size += valueSize(e);
    return size;
  }
  if (v.map_value !== undefined) return fieldsSize(v.map_value.fields ?? {});
  return 1;
}

export function fieldsSize(fields: Fields): number {
  let size = 0;
  for (const key of Object.keys(fields)) size += utf8(key) + 1 + valueSize(fields[key]!);
  return size;
}

export function documentSize(path: string, fields: Fields): number {
  return documentNameSize(path) + fieldsSize(fields) + 32;
}
