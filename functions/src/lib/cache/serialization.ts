import { GeoPoint, Timestamp } from "firebase-admin/firestore";
import { z } from "zod";

/**
 * Tagged JSON, so every value comes back as what went in: a Firestore `Timestamp` as a
 * `Timestamp`, a `Date` as a `Date`, bytes as a `Buffer`, nested maps and arrays intact, also
 * after a trip through Redis. A special value becomes `{"$t": tag, ...}`; a plain object that
 * itself owns a `$t` key is escaped as `{"$t":"o","e":[[key, value], ...]}`, so data can never
 * be mistaken for a tag.
 */

export class CacheSerializationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CacheSerializationError";
  }
}

const TAG = "$t";
const MAX_DEPTH = 64;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function encodeValue(value: unknown): string {
  return JSON.stringify(toJson(value, "", 0));
}

export function decodeValue(text: string): unknown {
  // Every tag spells `"$t"` in the JSON text; without one the reviver has nothing to do.
  return text.includes('"$t"') ? JSON.parse(text, revive) : JSON.parse(text);
}

function toJson(value: unknown, path: string, depth: number): Json {
  if (depth > MAX_DEPTH) throw new CacheSerializationError(`Value nests deeper than ${MAX_DEPTH} levels (a cycle?) at ${path || "(root)"}.`);
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0) ? value : { [TAG]: "n", v: String(Object.is(value, -0) ? "-0" : value) };
    case "bigint":
      return { [TAG]: "bi", v: value.toString() };
    case "undefined":
      return { [TAG]: "u" };
    case "object":
      break;
    default:
      throw new CacheSerializationError(`A ${typeof value} cannot be cached (at ${path || "(root)"}).`);
  }
  if (value === null) return null;
  if (value instanceof Timestamp) return { [TAG]: "ts", s: value.seconds, n: value.nanoseconds };
  if (value instanceof Date) return { [TAG]: "d", v: String(value.getTime()) };
  if (value instanceof GeoPoint) return { [TAG]: "geo", lat: value.latitude, lng: value.longitude };
  if (Buffer.isBuffer(value)) return { [TAG]: "buf", v: value.toString("base64") };
  if (value instanceof Uint8Array) return { [TAG]: "u8", v: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  if (Array.isArray(value)) {
    const out: Json[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = toJson(value[i], `${path}.${i}`, depth + 1);
    return out;
  }
  if (value instanceof Map) return { [TAG]: "map", e: [...value].map(([k, v], i) => [toJson(k, `${path}.<key${i}>`, depth + 1), toJson(v, `${path}.<${i}>`, depth + 1)]) };
  if (value instanceof Set) return { [TAG]: "set", e: [...value].map((v, i) => toJson(v, `${path}.<${i}>`, depth + 1)) };
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? "object";
    throw new CacheSerializationError(`A ${name} cannot be cached (at ${path || "(root)"}); convert it to plain data first.`);
  }
  const record = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(record, TAG)) {
    return { [TAG]: "o", e: Object.keys(record).map((k) => [k, toJson(record[k], `${path}.${k}`, depth + 1)]) };
  }
  const out: Record<string, Json> = {};
  for (const k of Object.keys(record)) {
    const child = toJson(record[k], `${path}.${k}`, depth + 1);
    if (k === "__proto__") Object.defineProperty(out, k, { value: child, enumerable: true, writable: true, configurable: true });
    else out[k] = child;
  }
  return out;
}

const finite = z.number();
const text = z.string();
/** The fields each tag carries, checked on the way back: Redis may hold anything under our keys. */
const TAGGED = {
  ts: z.object({ s: finite, n: finite }),
  d: z.object({ v: text }),
  n: z.object({ v: text }),
  bi: z.object({ v: text.regex(/^-?\d+$/) }),
  geo: z.object({ lat: finite, lng: finite }),
  buf: z.object({ v: text }),
  u8: z.object({ v: text }),
  map: z.object({ e: z.array(z.tuple([z.unknown(), z.unknown()])) }),
  set: z.object({ e: z.array(z.unknown()) }),
  o: z.object({ e: z.array(z.tuple([z.string(), z.unknown()])) }),
};

function tagged<S extends z.ZodType>(schema: S, value: unknown, tag: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CacheSerializationError(`Malformed cached value with tag "${tag}".`);
  return parsed.data;
}

/** JSON.parse revives bottom-up, so a tagged object's parts are already decoded here. */
function revive(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value) || !(TAG in value)) return value;
  const tag = Object.getOwnPropertyDescriptor(value, TAG)?.value;
  switch (tag) {
    case "ts": {
      const { s, n } = tagged(TAGGED.ts, value, tag);
      return new Timestamp(s, n);
    }
    case "d":
      return new Date(Number(tagged(TAGGED.d, value, tag).v));
    case "n": {
      const { v } = tagged(TAGGED.n, value, tag);
      return v === "-0" ? -0 : Number(v);
    }
    case "bi":
      return BigInt(tagged(TAGGED.bi, value, tag).v);
    case "u":
      return undefined;
    case "geo": {
      const { lat, lng } = tagged(TAGGED.geo, value, tag);
      return new GeoPoint(lat, lng);
    }
    case "buf":
      return Buffer.from(tagged(TAGGED.buf, value, tag).v, "base64");
    case "u8":
      return new Uint8Array(Buffer.from(tagged(TAGGED.u8, value, tag).v, "base64"));
    case "map":
      return new Map(tagged(TAGGED.map, value, tag).e);
    case "set":
      return new Set(tagged(TAGGED.set, value, tag).e);
    case "o":
      return Object.fromEntries(tagged(TAGGED.o, value, tag).e);
    default:
      throw new CacheSerializationError(`Unknown cache value tag "${String(tag)}".`);
  }
}

/**
 * Freezes plain objects and arrays all the way down: one instance's cached value is shared by
 * every caller, so nobody may change it in place. Class instances (Timestamp, Date, Buffer)
 * are left as they are.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (const item of value) deepFreeze(item);
    return Object.freeze(value);
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  for (const inner of Object.values(value as Record<string, unknown>)) deepFreeze(inner);
  return Object.freeze(value);
}
