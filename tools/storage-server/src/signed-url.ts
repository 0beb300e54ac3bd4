/**
 * V4 signed URL verification (GOOG4-RSA-SHA256). The canonical request and string-to-sign are
 * rebuilt from the request exactly as the signing docs describe, then verified with the public
 * key of a trusted local service account. The `host` header is signed by the client as the bare
 * host name (no port), so both forms of the request's Host are tried.
 */
import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { XmlError } from "./errors";

export type TrustedKey = { clientEmail?: string; publicKey: KeyObject };

/** Accepts a service-account JSON (`client_email`, `private_key`), or a PEM public/private key. */
export function parseTrustedKey(text: string): TrustedKey {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    const sa = JSON.parse(trimmed) as { client_email?: string; private_key?: string; public_key?: string };
    const pem = sa.public_key ?? sa.private_key;
    if (!pem) throw new Error("service account JSON has no private_key or public_key");
    const key: TrustedKey = { publicKey: createPublicKey(pem) };
    if (sa.client_email) key.clientEmail = sa.client_email;
    return key;
  }
  return { publicKey: createPublicKey(trimmed) };
}

export function loadTrustedKey(path: string): TrustedKey {
  return parseTrustedKey(readFileSync(path, "utf8"));
}

/** RFC 3986 encoding used for canonical query strings. */
const rfc3986 = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `20240102T030405Z` -> epoch ms. */
function parseGoogDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

const canonicalValue = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join(",") : (v ?? "")).trim().replace(/\s{2,}/g, " ");

export type SignedRequest = { signedHeaders: string[] };

export function isSignedRequest(query: URLSearchParams): boolean {
  return query.has("X-Goog-Signature");
}

/** Throws an XmlError unless the request carries a valid, unexpired V4 signature. */
export function verifySignedRequest(req: IncomingMessage, rawPath: string, query: URLSearchParams, keys: TrustedKey[], now: number): SignedRequest {
  const get = (k: string): string => {
    const v = query.get(k);
    if (v === null) throw new XmlError(400, "AuthenticationRequired", `Missing ${k}.`);
    return v;
  };
  if (get("X-Goog-Algorithm") !== "GOOG4-RSA-SHA256") throw new XmlError(400, "InvalidArgument", "Unsupported X-Goog-Algorithm.");
  const credential = get("X-Goog-Credential");
  const date = get("X-Goog-Date");
  const expires = Number(get("X-Goog-Expires"));
  const signedHeaders = get("X-Goog-SignedHeaders").split(";");
  const signature = Buffer.from(get("X-Goog-Signature"), "hex");
  const start = parseGoogDate(date);
  if (Number.isNaN(start) || !Number.isFinite(expires) || expires <= 0 || expires > 604800) throw new XmlError(400, "InvalidArgument", "Invalid X-Goog-Date or X-Goog-Expires.");
  if (now > start + expires * 1000) throw new XmlError(400, "ExpiredToken", "Invalid argument.", `Request has expired: ${date}`);
  if (now < start - 15 * 60_000) throw new XmlError(400, "InvalidArgument", "Invalid argument.", "Request is not yet valid.");
  const slash = credential.indexOf("/");
  const email = credential.slice(0, slash);
  const scope = credential.slice(slash + 1);

  const canonicalQuery = [...query.entries()]
    .filter(([k]) => k !== "X-Goog-Signature")
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const payload = signedHeaders.includes("x-goog-content-sha256") ? canonicalValue(req.headers["x-goog-content-sha256"]) : "UNSIGNED-PAYLOAD";
  const hostHeader = String(req.headers.host ?? "");
  const hostCandidates = [hostHeader, hostHeader.replace(/:\d+$/, "")];
  const candidates = [...new Set(hostCandidates)].map((host) => {
    const headers = signedHeaders.map((h) => `${h}:${h === "host" ? host : canonicalValue(req.headers[h])}\n`).join("");
    const canonicalRequest = [req.method, rawPath, canonicalQuery, headers, signedHeaders.join(";"), payload].join("\n");
    const hash = createHash("sha256").update(canonicalRequest).digest("hex");
    return ["GOOG4-RSA-SHA256", date, scope, hash].join("\n");
  });
  const usable = keys.filter((k) => !k.clientEmail || k.clientEmail === email);
  const ok = usable.some((k) => candidates.some((c) => verify("sha256", Buffer.from(c), k.publicKey, signature)));
  if (!ok) {
    throw new XmlError(403, "SignatureDoesNotMatch", "Access denied.", "The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.");
  }
  return { signedHeaders };
}

/** `x-goog-content-length-range: min,max` as sent (and signed) with the request. */
export function contentLengthRange(req: IncomingMessage): { min: number; max: number } | undefined {
  const raw = req.headers["x-goog-content-length-range"];
  if (typeof raw !== "string") return undefined;
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(raw);
  if (!m) throw new XmlError(400, "InvalidArgument", "Invalid x-goog-content-length-range.");
  return { min: Number(m[1]), max: Number(m[2]) };
}
