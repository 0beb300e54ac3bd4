import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { addressAllowed, isBlockedHostname, type AddressPolicy } from "./address-policy";

/** One HTTP attempt as the delivery worker sees it; the transport is injected (tests pass their own). */
export type WebhookRequest = { url: string; headers: Record<string, string>; body: string; timeoutMs: number };

export type WebhookFailureReason = "timeout" | "dns" | "blocked-address" | "invalid-url" | "connection" | "interrupted";

export type WebhookResponse =
  | { kind: "response"; status: number; retryAfter: string | null; body: string }
  | { kind: "error"; reason: WebhookFailureReason; message: string };

export type WebhookHttp = (request: WebhookRequest) => Promise<WebhookResponse>;

export type WebhookHttpOptions = AddressPolicy & {
  /** Plain `http:` URLs (the emulator only). */
  allowHttp: boolean;
  /** Resolves a host to every address it has. @default dns.lookup with `all: true` */
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>;
  /** Response bytes kept (the delivery log's excerpt). @default 1024 */
  keepBytes?: number;
};

/** Bytes read from a response before the connection is dropped: a receiver cannot stream forever at us. */
const MAX_READ_BYTES = 64 * 1024;

/**
 * The production transport: resolves the host on every attempt, refuses non-public addresses
 * (SSRF), then connects to exactly the checked address (a `lookup` that returns it, so a DNS
 * answer changed in between cannot take the connection elsewhere), with TLS still verified
 * against the host name. Redirects are never followed: a 3xx is the attempt's answer.
 */
export function createWebhookHttp(options: WebhookHttpOptions): WebhookHttp {
  const resolve = options.resolve ?? ((host: string) => dnsLookup(host, { all: true, verbatim: true }));
  const keepBytes = options.keepBytes ?? 1024;
  const agents = { "http:": new http.Agent({ keepAlive: true, maxSockets: 256 }), "https:": new https.Agent({ keepAlive: true, maxSockets: 256 }) };

  async function checkedAddress(host: string): Promise<{ address: string; family: number } | WebhookResponse> {
    const literal = host.replace(/^\[|\]$/g, "");
    if (isIP(literal)) {
      return addressAllowed(literal, options) ? { address: literal, family: isIP(literal) } : { kind: "error", reason: "blocked-address", message: "The address is not public." };
    }
    if (isBlockedHostname(literal)) return { kind: "error", reason: "blocked-address", message: "The host name is reserved." };
    let addresses: Array<{ address: string; family: number }>;
    try {
      addresses = await resolve(literal);
    } catch {
      return { kind: "error", reason: "dns", message: "The host name did not resolve." };
    }
    const allowed = addresses.find((entry) => addressAllowed(entry.address, options));
    return allowed ?? { kind: "error", reason: addresses.length ? "blocked-address" : "dns", message: "The host resolves to no public address." };
  }

  return async function send(request) {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return { kind: "error", reason: "invalid-url", message: "The URL does not parse." };
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && options.allowHttp)) return { kind: "error", reason: "invalid-url", message: "Only https URLs are delivered to." };
    const target = await checkedAddress(url.hostname);
    if ("kind" in target) return target;
    const pinned: LookupFunction = (_host, lookupOptions, callback) => {
      if (lookupOptions.all) (callback as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [target]);
      else callback(null, target.address, target.family);
    };
    const client = url.protocol === "https:" ? https : http;
    return new Promise<WebhookResponse>((done) => {
      let settled = false;
      const finish = (result: WebhookResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        done(result);
      };
      const req = client.request(
        url,
        { method: "POST", headers: { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) }, agent: agents[url.protocol as "http:" | "https:"], lookup: pinned },
        (res) => {
          const chunks: Buffer[] = [];
          let read = 0;
          res.on("data", (chunk: Buffer) => {
            read += chunk.length;
            if (chunks.reduce((n, c) => n + c.length, 0) < keepBytes) chunks.push(chunk);
            if (read > MAX_READ_BYTES) res.destroy();
          });
          const complete = () => {
            const retryAfter = res.headers["retry-after"];
            finish({ kind: "response", status: res.statusCode ?? 0, retryAfter: typeof retryAfter === "string" ? retryAfter : null, body: Buffer.concat(chunks).subarray(0, keepBytes).toString("utf8") });
          };
          res.on("end", complete);
          res.on("close", complete);
          res.on("error", complete);
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        finish({ kind: "error", reason: "timeout", message: `No complete answer within ${request.timeoutMs} ms.` });
      }, request.timeoutMs);
      req.on("error", (error) => finish({ kind: "error", reason: "connection", message: error.message.slice(0, 200) }));
      req.end(request.body);
    });
  };
}
