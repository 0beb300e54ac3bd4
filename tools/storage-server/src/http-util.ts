/** Small helpers shared by the route handlers: JSON bodies in and out, bucket lookup. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { invalid, notFound } from "./errors";
import { selectFields } from "./fields";
import type { Json } from "./resource";
import type { BucketState, Store } from "./store";

const MAX_JSON_BYTES = 16 * 1024 * 1024;

export async function readJson(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) throw invalid("Request body too large.");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    return parsed as Json;
  } catch {
    throw invalid("Invalid JSON payload received.");
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, query?: URLSearchParams, headers: Record<string, string> = {}): void {
  const selected = selectFields(body, query?.get("fields") ?? null);
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers }).end(JSON.stringify(selected));
}

export function requireBucket(store: Store, name: string): BucketState {
  const state = store.buckets.get(name);
  if (!state) throw notFound("bucket");
  return state;
}

/** A string map from outside data, or undefined; anything else is refused as invalid. */
export function stringMap(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalid(`Invalid value for field '${field}'.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}

export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(`Invalid value for field '${field}'.`);
  return value;
}
