import { randomBytes } from "node:crypto";
import { Redis } from "@upstash/redis";
import { startUpstashRestServer, type UpstashRestOptions, type UpstashRestServer } from "../src";

export const TOKEN = "test-token-" + randomBytes(6).toString("hex");

export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error("REDIS_URL is not set (the jest global setup sets it)");
  return url;
}

export function startEndpoint(options: Partial<UpstashRestOptions> = {}): Promise<UpstashRestServer> {
  return startUpstashRestServer({ port: 0, host: "127.0.0.1", redisUrl: redisUrl(), token: TOKEN, ...options });
}

let counter = 0;
/** A key no other test (or test run) uses. */
export function uniqueKey(label = "k"): string {
  return `upstash-rest-test:${process.pid}:${randomBytes(4).toString("hex")}:${++counter}:${label}`;
}

export function client(server: UpstashRestServer, options: Record<string, unknown> = {}): Redis {
  return new Redis({ url: server.url, token: TOKEN, enableTelemetry: false, retry: false, ...options });
}

export interface RawResponse {
  status: number;
  body: unknown;
}

/** A raw HTTP call to the endpoint (no Upstash client in between). */
export async function raw(
  server: UpstashRestServer,
  path: string,
  body?: unknown,
  { base64 = false, token = TOKEN as string | null, method = "POST", headers = {} as Record<string, string> } = {},
): Promise<RawResponse> {
  const h: Record<string, string> = { "content-type": "application/json", ...headers };
  if (token !== null) h.authorization = `Bearer ${token}`;
  if (base64) h["upstash-encoding"] = "base64";
  const res = await fetch(server.url + path, {
    method,
    headers: h,
    body: body === undefined ? undefined : typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as unknown };
}

export const b64 = (s: string | Buffer): string => Buffer.from(s).toString("base64");
