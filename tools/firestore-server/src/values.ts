/**
 * Firestore values: type classification, equality and the cross-type total order used by
 * queries, cursors and min/max transforms:
 * null < boolean < NaN < numbers < timestamp < string < bytes < reference < geopoint < array
 * < vector < map. Integers and doubles compare numerically (-0 == 0); strings by UTF-8 bytes.
 */
import { comparePaths, compareUtf8 } from "./paths";
import type { Fields, Value } from "./types";

export type Kind =
  | "null"
  | "boolean"
  | "integer"
  | "double"
  | "timestamp"
  | "string"
  | "bytes"
  | "reference"
  | "geopoint"
  | "array"
  | "map";

/** Which member of the `value_type` oneof is set (checking fields, not the virtual oneof key,
 * so values built by the server itself classify too). */
export function kindOf(v: Value): Kind {
  if (v.null_value !== undefined) return "null";
  if (v.boolean_value !== undefined) return "boolean";
  if (v.integer_value !== undefined) return "integer";
  if (v.double_value !== undefined) return "double";
  if (v.timestamp_value !== undefined) return "timestamp";
  if (v.string_value !== undefined) return "string";
  if (v.bytes_value !== undefined) return "bytes";
  if (v.reference_value !== undefined) return "reference";
  if (v.geo_point_value !== undefined) return "geopoint";
  if (v.array_value !== undefined) return "array";
  if (v.map_value !== undefined) return "map";
  return "null";
}

export const NULL: Value = { null_value: "NULL_VALUE" };

export function isVector(v: Value): boolean {
  const t = v.map_value?.fields?.["__type__"];
  return t !== undefined && t.string_value === "__vector__";
}

/** The numbers of a vector value, or undefined when `v` is not a well-formed vector. */
export function vectorOf(v: Value): number[] | undefined {
  if (!isVector(v)) return undefined;
  const arr = v.map_value?.fields?.["value"]?.array_value?.values ?? [];
  const out: number[] = [];
  for (const e of arr) {
    const n = numberOf(e);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

export function isNumber(v: Value): boolean {
  return v.integer_value !== undefined || v.double_value !== undefined;
}

export function isNaNValue(v: Value): boolean {
  return v.double_value !== undefined && Number.isNaN(v.double_value);
}

/** JS number of an integer or double value. */
export function numberOf(v: Value): number | undefined {
  if (v.integer_value !== undefined) return Number(v.integer_value);
  if (v.double_value !== undefined) return v.double_value;
  return undefined;
}

function typeOrder(v: Value): number {
  switch (kindOf(v)) {
    case "null":
      return 0;
    case "boolean":
      return 1;
    case "double":
      return Number.isNaN(v.double_value) ? 2 : 3;
    case "integer":
      return 3;
    case "timestamp":
      return 4;
    case "string":
      return 5;
    case "bytes":
      return 6;
    case "reference":
      return 7;
    case "geopoint":
      return 8;
    case "array":
      return 9;
    case "map":
      return isVector(v) ? 10 : 11;
  }
}

/** Same type class for range filters: `x > 1` must never match strings (NaN counts as number). */
export function sameTypeClass(a: Value, b: Value): boolean {
  const x = typeOrder(a);
  const y = typeOrder(b);
  const norm = (o: number): number => (o === 2 ? 3 : o);
  return norm(x) === norm(y);
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Numeric comparison of an integer (exact, as bigint) and any number. */
function compareNumbers(a: Value, b: Value): number {
  const ai = a.integer_value;
  const bi = b.integer_value;
  if (ai !== undefined && bi !== undefined) {
    const x = BigInt(ai);
    const y = BigInt(bi);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ai !== undefined) return -compareIntDouble(b.double_value!, BigInt(ai));
  if (bi !== undefined) return compareIntDouble(a.double_value!, BigInt(bi));
  const x = a.double_value!;
  const y = b.double_value!;
  // NaN is ordered before every number and equal to itself.
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
  if (Number.isNaN(y)) return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares double `d` with integer `i` without losing precision for large integers. */
function compareIntDouble(d: number, i: bigint): number {
  if (Number.isNaN(d)) return -1;
  if (d === Infinity) return 1;
  if (d === -Infinity) return -1;
  const floor = Math.floor(d);
  const fb = BigInt(floor);
  if (fb < i) return -1;
  if (fb > i) return 1;
  return d > floor ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return sign(a.length - b.length);
}

function referencePath(ref: string): string {
  const i = ref.indexOf("/documents");
  return i < 0 ? ref : ref.slice(0, i) + "\u0000" + ref.slice(i + "/documents".length);
}

function compareArrays(a: Value[], b: Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return sign(a.length - b.length);
}

function compareMaps(a: Fields, b: Fields): number {
  const ak = Object.keys(a).sort(compareUtf8);
  const bk = Object.keys(b).sort(compareUtf8);
  const n = Math.min(ak.length, bk.length);
  for (let i = 0; i < n; i++) {
    const kc = compareUtf8(ak[i]!, bk[i]!);
    if (kc !== 0) return kc;
    const vc = compareValues(a[ak[i]!]!, b[bk[i]!]!);
    if (vc !== 0) return vc;
  }
  return sign(ak.length - bk.length);
}

/** Firestore's total order over values. */
export function compareValues(a: Value, b: Value): number {
  const ta = typeOrder(a);
  const tb = typeOrder(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case 0:
    case 2:
      return 0;
    case 1:
      return a.boolean_value === b.boolean_value ? 0 : a.boolean_value ? 1 : -1;
    case 3:
      return compareNumbers(a, b);
    case 4: {
      const x = a.timestamp_value!;
      const y = b.timestamp_value!;
      const s = Number(x.seconds ?? 0) - Number(y.seconds ?? 0);
      return s !== 0 ? sign(s) : sign((x.nanos ?? 0) - (y.nanos ?? 0));
    }
    case 5:
      return compareUtf8(a.string_value!, b.string_value!);
    case 6:
      return compareBytes(a.bytes_value!, b.bytes_value!);
    case 7:
      return comparePaths(referencePath(a.reference_value!), referencePath(b.reference_value!));
    case 8: {
      const x = a.geo_point_value!;
      const y = b.geo_point_value!;
      const c = sign((x.latitude ?? 0) - (y.latitude ?? 0));
      return c !== 0 ? c : sign((x.longitude ?? 0) - (y.longitude ?? 0));
    }
    case 9:
      return compareArrays(a.array_value!.values ?? [], b.array_value!.values ?? []);
    case 10: {
      // Vectors order by dimension first, then element-wise.
      const x = a.map_value!.fields!["value"]?.array_value?.values ?? [];
      const y = b.map_value!.fields!["value"]?.array_value?.values ?? [];
      if (x.length !== y.length) return sign(x.length - y.length);
      return compareArrays(x, y);
    }
    default:
      return compareMaps(a.map_value!.fields ?? {}, b.map_value!.fields ?? {});
  }
}

/** Equality as queries use it: numerically across int/double, NaN equal to NaN. */
export function valuesEqual(a: Value, b: Value): boolean {
  return compareValues(a, b) === 0;
}

/** Strict equality (no int/double mixing) to detect no-op writes. */
export function sameValue(a: Value, b: Value): boolean {
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return false;
  if (ka === "double") return Object.is(a.double_value, b.double_value);
  if (ka === "integer") return String(a.integer_value) === String(b.integer_value);
  if (ka === "array") {
    const x = a.array_value!.values ?? [];
    const y = b.array_value!.values ?? [];
    return x.length === y.length && x.every((v, i) => sameValue(v, y[i]!));
  }
  if (ka === "map") return sameFields(a.map_value!.fields ?? {}, b.map_value!.fields ?? {});
  return compareValues(a, b) === 0;
}

export function sameFields(a: Fields, b: Fields): boolean {
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  for (const k of ak) {
    const bv = b[k];
    if (bv === undefined || !sameValue(a[k]!, bv)) return false;
  }
  return true;
}

/** Reads a nested field; undefined when any segment is missing or not a map. */
export function getField(fields: Fields, segments: readonly string[]): Value | undefined {
  let current: Fields | undefined = fields;
  for (let i = 0; i < segments.length; i++) {
    const v: Value | undefined = current?.[segments[i]!];
    if (v === undefined) return undefined;
    if (i === segments.length - 1) return v;
    current = v.map_value ? (v.map_value.fields ?? {}) : undefined;
    if (!current) return undefined;
  }
  return undefined;
}

/** Sets a nested field, creating (or replacing non-map) intermediate maps. Mutates `fields`,
 * which callers own (copied with `cloneFields` first). */
export function setField(fields: Fields, segments: readonly string[], value: Value): void {
  let current = fields;
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i]!;
    let next = current[key];
    if (!next || !next.map_value) {
      next = { map_value: { fields: {} } };
      current[key] = next;
    } else {
      // Copy on write: nested maps may be shared with older stored versions.
      next = { map_value: { fields: { ...(next.map_value.fields ?? {}) } } };
      current[key] = next;
    }
    current = next.map_value!.fields!;
  }
  current[segments[segments.length - 1]!] = value;
}

export function deleteField(fields: Fields, segments: readonly string[]): void {
  let current = fields;
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i]!;
    const next = current[key];
    if (!next || !next.map_value) return;
    const copy: Value = { map_value: { fields: { ...(next.map_value.fields ?? {}) } } };
    current[key] = copy;
    current = copy.map_value!.fields!;
  }
  delete current[segments[segments.length - 1]!];
}

export function arrayValues(v: Value | undefined): Value[] {
  return v?.array_value?.values ?? [];
}
