/**
 * Object listing: prefix, delimiter (with `prefixes`), includeTrailingDelimiter,
 * startOffset/endOffset, matchGlob, maxResults and page tokens. `maxResults` bounds items and
 * prefixes together, as in production. Names are compared as UTF-8 bytes.
 */
import { invalid } from "./errors";
import type { ObjectRecord } from "./types";

export type ListResult = { items: ObjectRecord[]; prefixes: string[]; nextPageToken?: string };

const utf8Compare = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** `*` (not across '/'), `**` (across), `?`, `[...]`, `{a,b}`. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        if (glob[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = glob.indexOf("]", i + 1);
      if (close < 0) throw invalid("Invalid matchGlob.");
      re += `[${glob.slice(i + 1, close).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
      i = close;
    } else if (c === "{") {
      const close = glob.indexOf("}", i + 1);
      if (close < 0) throw invalid("Invalid matchGlob.");
      re += `(?:${glob.slice(i + 1, close).split(",").map(escape).join("|")})`;
      i = close;
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`, "s");
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

type Token = { after: string };

const encodeToken = (t: Token): string => Buffer.from(JSON.stringify(t)).toString("base64url");

function decodeToken(raw: string): Token {
  try {
    const t = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Token;
    if (typeof t.after !== "string") throw new Error("bad token");
    return t;
  } catch {
    throw invalid("Invalid pageToken.");
  }
}

export function listObjects(objects: Iterable<ObjectRecord>, q: URLSearchParams): ListResult {
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const startOffset = q.get("startOffset");
  const endOffset = q.get("endOffset");
  const trailing = q.get("includeTrailingDelimiter") === "true";
  const glob = q.get("matchGlob");
  const matcher = glob ? globToRegExp(glob) : undefined;
  const max = Math.min(Math.max(Number(q.get("maxResults") ?? 1000) || 1000, 1), 1000);
  const token = q.get("pageToken") ? decodeToken(q.get("pageToken")!) : undefined;

  const sorted = [...objects].filter((o) => o.name.startsWith(prefix)).sort((a, b) => utf8Compare(a.name, b.name));
  const items: ObjectRecord[] = [];
  const prefixes: string[] = [];
  let last = "";
  for (const o of sorted) {
    if (startOffset && utf8Compare(o.name, startOffset) < 0) continue;
    if (endOffset && utf8Compare(o.name, endOffset) >= 0) continue;
    if (matcher && !matcher.test(o.name)) continue;
    let entryPrefix: string | undefined;
    if (delimiter) {
      const idx = o.name.indexOf(delimiter, prefix.length);
      if (idx >= 0) entryPrefix = o.name.slice(0, idx + delimiter.length);
    }
    const key = entryPrefix ?? o.name;
    // Every name under an already returned prefix sorts after it and is skipped with it.
    if (token && (utf8Compare(key, token.after) <= 0 || (token.after.endsWith(delimiter) && delimiter && o.name.startsWith(token.after)))) continue;
    if (entryPrefix !== undefined && prefixes.at(-1) === entryPrefix) {
      if (trailing && o.name === entryPrefix) items.push(o);
      continue;
    }
    if (items.length + prefixes.length >= max) return { items, prefixes, nextPageToken: encodeToken({ after: last }) };
    if (entryPrefix !== undefined) {
      prefixes.push(entryPrefix);
      if (trailing && o.name === entryPrefix) items.push(o);
    } else items.push(o);
    last = key;
  }
  return { items, prefixes };
}
