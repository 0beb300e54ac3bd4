/**
 * Resource names and field paths.
 *
 * Documents are stored under a database key `project/database` with a relative path
 * (`users/u1/posts/p1`). Field paths use Firestore's dotted syntax where a segment that is not
 * a plain identifier is wrapped in backquotes (`a.\`b.c\`.d`), with `\\` escapes.
 */
import { invalidArgument } from "./errors";

export interface DbName {
  project: string;
  database: string;
  /** `projects/{p}/databases/{d}` */
  root: string;
  /** Key used for in-memory maps. */
  key: string;
}

const DB_RE = /^projects\/([^/]+)\/databases\/([^/]+)$/;

export function parseDatabase(name: string): DbName {
  const m = DB_RE.exec(name);
  if (!m) throw invalidArgument(`Invalid database name: ${name}`);
  return { project: m[1]!, database: m[2]!, root: name, key: `${m[1]}/${m[2]}` };
}

export interface ParsedName {
  db: DbName;
  /** Relative path below `documents`, "" for the database root. */
  path: string;
}

/** Parses `projects/p/databases/d/documents[/...]`. */
export function parseName(name: string): ParsedName {
  const idx = name.indexOf("/documents");
  if (idx < 0) throw invalidArgument(`Invalid resource name: ${name}`);
  const db = parseDatabase(name.slice(0, idx));
  const rest = name.slice(idx + "/documents".length);
  if (rest !== "" && !rest.startsWith("/")) throw invalidArgument(`Invalid resource name: ${name}`);
  const path = rest.slice(1);
  if (path !== "" && path.split("/").some((s) => s === "")) throw invalidArgument(`Invalid resource name: ${name}`);
  return { db, path };
}

/** Parses a document name; the path must have an even number of segments. */
export function parseDocumentName(name: string): ParsedName {
  const parsed = parseName(name);
  const n = parsed.path === "" ? 0 : parsed.path.split("/").length;
  if (n === 0 || n % 2 !== 0) throw invalidArgument(`Document name "${name}" has odd number of segments`);
  return parsed;
}

export function documentName(db: DbName, path: string): string {
  return path === "" ? `${db.root}/documents` : `${db.root}/documents/${path}`;
}

/** Parent collection path and id of a document path. */
export function splitDocPath(path: string): { collection: string; id: string } {
  const i = path.lastIndexOf("/");
  return { collection: path.slice(0, i), id: path.slice(i + 1) };
}

/** The id (last segment) of a collection path. */
export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Compares strings the way Firestore does: by UTF-8 bytes, which equals code point order
 * (JS `<` compares UTF-16 units and misorders astral characters against U+E000..U+FFFF).
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x < y ? -1 : 1;
    // A surrogate (astral code point) sorts after any BMP unit.
    return xs ? 1 : -1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

const NUMERIC_ID = /^__id(-?\d+)__$/;

/**
 * Compares two path segments: ids of the form `__id<n>__` are numeric ids that sort before all
 * other ids, numerically (the SDK's recursiveDelete uses `__id-9223372036854775808__` as the
 * minimum id); everything else compares as UTF-8.
 */
export function compareSegments(a: string, b: string): number {
  const na = a.startsWith("__id") ? NUMERIC_ID.exec(a) : null;
  const nb = b.startsWith("__id") ? NUMERIC_ID.exec(b) : null;
  if (na && nb) {
    const x = BigInt(na[1]!);
    const y = BigInt(nb[1]!);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (na) return -1;
  if (nb) return 1;
  return compareUtf8(a, b);
}

/** Segment-wise comparison of slash-separated paths (documents order by path). */
export function comparePaths(a: string, b: string): number {
  if (a === b) return 0;
  const as = a.split("/");
  const bs = b.split("/");
  const n = Math.min(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    const c = compareSegments(as[i]!, bs[i]!);
    if (c !== 0) return c;
  }
  return as.length - bs.length;
}

const fieldPathCache = new Map<string, string[]>();

/** Splits a field path into segments, honouring backquoted segments. */
export function parseFieldPath(path: string): string[] {
  const cached = fieldPathCache.get(path);
  if (cached) return cached;
  const segments: string[] = [];
  let current = "";
  let quoted = false;
  let hadQuote = false;
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (quoted) {
      if (ch === "\\") {
        current += path[++i] ?? "";
      } else if (ch === "`") {
        quoted = false;
      } else {
        current += ch;
      }
    } else if (ch === "`") {
      quoted = true;
      hadQuote = true;
    } else if (ch === ".") {
      if (current === "" && !hadQuote) throw invalidArgument(`Invalid field path: ${path}`);
      segments.push(current);
      current = "";
      hadQuote = false;
    } else {
      current += ch;
    }
  }
  if (quoted || (current === "" && !hadQuote)) throw invalidArgument(`Invalid field path: ${path}`);
  segments.push(current);
  if (fieldPathCache.size > 10_000) fieldPathCache.clear();
  fieldPathCache.set(path, segments);
  return segments;
}

/** The field path that refers to a document's name in queries. */
export const NAME_FIELD = "__name__";
