/**
 * Seeded mutations of a valid request: each takes the request's JSON value and returns a new one
 * with a label saying what was done, so a failure names its reproduction exactly.
 */

/** mulberry32: small, fast and the same sequence on every machine for a given seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
export type Rng = ReturnType<typeof prng>;

export const PROTO_NAMES = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"] as const;

export const ODD_STRINGS: readonly string[] = [
  "",
  " ",
  "x".repeat(10 * 1024),
  "é".repeat(3000),
  "👩‍👩‍👧‍👦🏳️‍🌈".repeat(200),
  "a\u0301\u0301\u0301\u0301",
  "\u202Eevil\u202C",
  "שלום עולם",
  "nul\u0000byte",
  "\u0000",
  "../../etc/passwd",
  "..",
  ".",
  "a/b",
  "%2F",
  "%2e%2e%2f",
  "__name__",
  "__x__",
  "\ud800",
  "{{name}}",
  "${process.env}",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "\r\nX-Injected: 1",
  ...PROTO_NAMES,
];

export const ODD_NUMBERS: readonly unknown[] = [0, -1, 1, 2 ** 31, -(2 ** 31), 2 ** 53 + 1, 1e308, -1e308, 0.5, 5e-324, "NaN", "Infinity", "-0", "1e309", "0x10", null];

/** Cursors: junk, and base64url JSON that looks issued but carries forged parts. */
export const ODD_CURSORS: readonly string[] = [
  "!!!not-base64!!!",
  "AAAA",
  Buffer.from("not json").toString("base64url"),
  ...[[1e20, "x"], [-1e20, "x"], [1700000000000, "a/b"], [1700000000000, ".."], [1700000000000, "__x__"], [1700000000000, ""], ["x".repeat(1600)], [{}], [null], [], [1.5], ["constructor"], [2 ** 53 + 1], [1700000000000, "ok", "extra"]]
    .map((parts) => Buffer.from(JSON.stringify(parts)).toString("base64url")),
  Buffer.from('{"__proto__":{"polluted":1}}').toString("base64url"),
];

function nested(depth: number): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Sets an own property even for `__proto__`, so JSON.stringify sends it as a key. */
function withKey(object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const k of Object.keys(object)) Object.defineProperty(copy, k, { value: object[k], enumerable: true, writable: true, configurable: true });
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

export type Mutated = { label: string; value: unknown };
/** Ids of a second workspace, for mutations that aim a valid request at someone else's data. */
export type ForeignIds = Record<string, string>;

function wrongType(value: unknown, rng: Rng): unknown {
  const options: unknown[] = [123, -7, true, null, [], {}, [value], { value }, "12345", ""];
  return rng.pick(options.filter((o) => typeof o !== typeof value || Array.isArray(o) !== Array.isArray(value)));
}

/** One mutation of a JSON object (a callable's `data`, a REST body or query). */
export function mutateObject(input: Record<string, unknown>, rng: Rng, foreign: ForeignIds): Mutated {
  const keys = Object.keys(input);
  const field = keys.length ? rng.pick(keys) : "workspaceId";
  const kinds = ["drop", "wrongType", "number", "string", "protoKey", "protoValue", "deep", "foreign", "cursor", "unknown", "notObject"] as const;
  const kind = rng.pick(kinds);
  switch (kind) {
    case "drop": {
      const { [field]: _gone, ...rest } = input;
      return { label: `drop ${field}`, value: rest };
    }
    case "wrongType": {
      const value = wrongType(input[field], rng);
      return { label: `${field} = ${JSON.stringify(value)}`, value: { ...input, [field]: value } };
    }
    case "number": {
      const value = rng.pick(ODD_NUMBERS);
      return { label: `${field} = ${String(value)}`, value: { ...input, [rng.pick([field, "pageSize", "version", "topK"])]: value } };
    }
    case "string": {
      const value = rng.pick(ODD_STRINGS);
      return { label: `${field} = odd string (${value.length} chars: ${JSON.stringify(value.slice(0, 24))})`, value: { ...input, [field]: value } };
    }
    case "protoKey": {
      const key = rng.pick(PROTO_NAMES);
      const inner = rng.next() < 0.5;
      const value = { polluted: true };
      if (inner && input[field] && typeof input[field] === "object" && !Array.isArray(input[field])) {
        return { label: `${field}.${key} key`, value: { ...input, [field]: withKey(input[field] as Record<string, unknown>, key, value) } };
      }
      return { label: `${key} key`, value: withKey(input, key, value) };
    }
    case "protoValue": {
      const value = rng.pick(PROTO_NAMES);
      return { label: `${field} = ${value}`, value: { ...input, [field]: value } };
    }
    case "deep":
      return { label: `${field} nested 64 levels`, value: { ...input, [field]: nested(64) } };
    case "foreign": {
      const idKeys = keys.filter((k) => k in foreign);
      const key = idKeys.length ? rng.pick(idKeys) : "workspaceId";
      return { label: `${key} of another workspace`, value: { ...input, [key]: foreign[key] } };
    }
    case "cursor": {
      const value = rng.pick(ODD_CURSORS);
      return { label: `cursor = ${value.slice(0, 40)}`, value: { ...input, cursor: value } };
    }
    case "unknown":
      return { label: "unknown field", value: { ...input, [`x${rng.int(1000)}`]: rng.pick(ODD_STRINGS) } };
    case "notObject": {
      const value = rng.pick<unknown>([null, [], [input], "text", 42, true]);
      return { label: `whole input = ${JSON.stringify(value)?.slice(0, 40)}`, value };
    }
  }
}

/** A path segment a client could put where an id goes. */
export const ODD_SEGMENTS: readonly string[] = ["..", ".", "%2F", "a%2Fb", "%00", "%", "%E0%A4%A", "x".repeat(2000), "%F0%9F%98%80", "%E2%80%AE", "__proto__", "constructor", "prototype", "toString", "__x__", "%20", "a;b", "a?b=c"];
