/**
 * Media downloads (`alt=media`, `/download/storage/v1/...`). Every response carries the stored
 * hashes in `x-goog-hash` and `x-goog-stored-content-encoding`, which the client needs to decide
 * whether to validate. Objects stored with `Content-Encoding: gzip` are decompressed on the fly
 * (decompressive transcoding) unless the request accepts gzip; a transcoded response ignores
 * Range, as production does.
 */
import { createReadStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { Ctx } from "./context";
import { ApiError } from "./errors";
import { objectEtag } from "./resource";
import type { ObjectRecord } from "./types";

type ByteRange = { start: number; end: number };

/** Parses a single `Range: bytes=...` spec; undefined means "whole object". */
function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) {
    if (size === 0 && start === 0) return undefined;
    throw new ApiError(416, "rangeNotSatisfiable", "The requested range cannot be satisfied.");
  }
  return { start, end };
}

export function objectHeaders(o: ObjectRecord): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": o.contentType ?? "application/octet-stream",
    "x-goog-hash": `crc32c=${o.crc32c},md5=${o.md5Hash}`,
    "x-goog-generation": o.generation,
    "x-goog-metageneration": String(o.metageneration),
    "x-goog-stored-content-encoding": o.contentEncoding ?? "identity",
    "x-goog-stored-content-length": String(o.size),
    "x-goog-storage-class": o.storageClass ?? "STANDARD",
    etag: `"${objectEtag(o)}"`,
    "last-modified": new Date(o.updated).toUTCString(),
    "accept-ranges": "bytes",
  };
  if (o.cacheControl) headers["cache-control"] = o.cacheControl;
  if (o.contentDisposition) headers["content-disposition"] = o.contentDisposition;
  if (o.contentLanguage) headers["content-language"] = o.contentLanguage;
  for (const [k, v] of Object.entries(o.metadata ?? {})) headers[`x-goog-meta-${k.toLowerCase()}`] = encodeURIComponent(v);
  return headers;
}

export async function sendMedia(ctx: Ctx, req: IncomingMessage, res: ServerResponse, o: ObjectRecord, query?: URLSearchParams): Promise<void> {
  const headers = objectHeaders(o);
  const override = query?.get("response-content-type");
  if (override) headers["content-type"] = override;
  const disposition = query?.get("response-content-disposition");
  if (disposition) headers["content-disposition"] = disposition;
  const file = ctx.store.dataPath(o.bucket, o.name, o.generation);
  const acceptsGzip = /\bgzip\b/i.test(String(req.headers["accept-encoding"] ?? ""));
  const head = req.method === "HEAD";
  if (o.contentEncoding === "gzip" && !acceptsGzip) {
    res.writeHead(200, headers);
    if (head) return void res.end();
    await pipeline(createReadStream(file), createGunzip(), res).catch(() => res.destroy());
    return;
  }
  if (o.contentEncoding) headers["content-encoding"] = o.contentEncoding;
  const range = parseRange(req.headers["range"], o.size);
  if (range) {
    headers["content-range"] = `bytes ${range.start}-${range.end}/${o.size}`;
    headers["content-length"] = String(range.end - range.start + 1);
    res.writeHead(206, headers);
  } else {
    headers["content-length"] = String(o.size);
    res.writeHead(200, headers);
  }
  if (head || o.size === 0) return void res.end();
  const stream = createReadStream(file, range ? { start: range.start, end: range.end } : {});
  await pipeline(stream, res).catch(() => res.destroy());
}
