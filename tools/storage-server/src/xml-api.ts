/**
 * The XML API path form `/{bucket}/{object}` that signed URLs target (the client builds them as
 * `${apiEndpoint}/${bucket}/${object}`): GET/HEAD download, PUT upload, DELETE. A request that
 * carries `X-Goog-Signature` must verify; unsigned requests are served like the emulator's
 * unauthenticated JSON API.
 */
import { rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Ctx } from "./context";
import { ApiError, XmlError } from "./errors";
import { Hasher, writeStreamToFile } from "./hashing";
import { deleteObject, finalizeObject, validateObjectName } from "./object-writes";
import { sendMedia } from "./download";
import { checkPreconditions } from "./preconditions";
import { contentLengthRange, isSignedRequest, verifySignedRequest } from "./signed-url";
import type { Preconditions, WritableObjectFields } from "./types";

function toXml(err: unknown): unknown {
  if (!(err instanceof ApiError)) return err;
  if (err.code === 404) return new XmlError(404, err.message.includes("bucket") ? "NoSuchBucket" : "NoSuchKey", err.message);
  if (err.code === 412) return new XmlError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold.");
  if (err.code === 304) return err;
  return new XmlError(err.code, "InvalidArgument", err.message);
}

function headerFields(req: IncomingMessage): WritableObjectFields {
  const f: WritableObjectFields = {};
  const h = req.headers;
  if (h["content-type"]) f.contentType = h["content-type"];
  if (typeof h["content-encoding"] === "string") f.contentEncoding = h["content-encoding"];
  if (typeof h["cache-control"] === "string") f.cacheControl = h["cache-control"];
  if (typeof h["content-disposition"] === "string") f.contentDisposition = h["content-disposition"];
  if (typeof h["content-language"] === "string") f.contentLanguage = h["content-language"];
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith("x-goog-meta-") && typeof v === "string") (f.metadata ??= {})[k.slice(12)] = decodeURIComponent(v);
  }
  return f;
}

function headerPreconditions(req: IncomingMessage): Preconditions {
  const p: Preconditions = {};
  const gen = req.headers["x-goog-if-generation-match"];
  if (typeof gen === "string") p.ifGenerationMatch = gen;
  const meta = req.headers["x-goog-if-metageneration-match"];
  if (typeof meta === "string") p.ifMetagenerationMatch = meta;
  return p;
}

function tooLarge(): XmlError {
  return new XmlError(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.");
}

export async function handleXml(ctx: Ctx, req: IncomingMessage, res: ServerResponse, bucket: string, name: string, rawPath: string, q: URLSearchParams): Promise<void> {
  try {
    if (isSignedRequest(q)) {
      if (ctx.signingKeys.length === 0) throw new XmlError(403, "AccessDenied", "No trusted signing key is configured on this server.");
      verifySignedRequest(req, rawPath, q, ctx.signingKeys, ctx.now());
    }
    const state = ctx.store.buckets.get(bucket);
    if (!state) throw new XmlError(404, "NoSuchBucket", "The specified bucket does not exist.");
    if (req.method === "GET" || req.method === "HEAD") {
      const o = state.objects.get(name);
      if (!o) throw new XmlError(404, "NoSuchKey", "The specified key does not exist.");
      await sendMedia(ctx, req, res, o, q);
      return;
    }
    if (req.method === "DELETE") {
      const o = state.objects.get(name);
      if (!o) throw new XmlError(404, "NoSuchKey", "The specified key does not exist.");
      deleteObject(ctx, o);
      res.writeHead(204).end();
      return;
    }
    if (req.method !== "PUT") throw new XmlError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    validateObjectName(name);
    const range = contentLengthRange(req);
    const declared = req.headers["content-length"] === undefined ? undefined : Number(req.headers["content-length"]);
    if (range && declared !== undefined && declared > range.max) throw tooLarge();
    const preconditions = headerPreconditions(req);
    checkPreconditions(preconditions, state.objects.get(name));
    const tmpFile = ctx.store.tmpPath();
    const hasher = new Hasher();
    try {
      await writeStreamToFile(req as AsyncIterable<Buffer>, tmpFile, {
        hasher,
        limit: (total) => {
          if (range && total > range.max) throw tooLarge();
        },
      });
    } catch (err) {
      rmSync(tmpFile, { force: true });
      throw err;
    }
    const digest = hasher.digest();
    if (range && digest.size < range.min) {
      rmSync(tmpFile, { force: true });
      throw new XmlError(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size.");
    }
    if (!req.complete) return void rmSync(tmpFile, { force: true });
    const record = finalizeObject(ctx, { bucket, name, fields: headerFields(req), tmpFile, digest, preconditions });
    res
      .writeHead(200, {
        etag: `"${Buffer.from(record.md5Hash, "base64").toString("hex")}"`,
        "x-goog-generation": record.generation,
        "x-goog-metageneration": "1",
        "x-goog-hash": `crc32c=${record.crc32c},md5=${record.md5Hash}`,
        "x-goog-stored-content-length": String(record.size),
        "content-length": "0",
      })
      .end();
  } catch (err) {
    throw toXml(err);
  }
}
