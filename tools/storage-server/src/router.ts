/**
 * Dispatch of one HTTP request. JSON API paths are accepted with and without the `/storage/v1`
 * prefix (with STORAGE_EMULATOR_HOST the Node client omits it), uploads under
 * `/upload/storage/v1`, media under `/download/storage/v1`; anything else of the form
 * `/{bucket}/{object}` is the XML API (signed URLs).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createBucket, createNotification, deleteBucket, getBucket, listBuckets, notificationRoute, patchBucket } from "./buckets";
import { MAX_WAIT_MS } from "./changes";
import type { Ctx } from "./context";
import { ApiError, notFound, sendJsonError, sendXmlError, XmlError } from "./errors";
import { sendJson } from "./http-util";
import { composeRoute, deleteRoute, getObject, listRoute, patchObject } from "./objects";
import { cancelResumable, handleResumablePut } from "./resumable";
import { rewriteRoute } from "./rewrite";
import { handleUpload } from "./uploads";
import { handleXml } from "./xml-api";

const dec = decodeURIComponent;

const REWRITE = /^\/b\/([^/]+)\/o\/(.+?)\/(rewriteTo|copyTo)\/b\/([^/]+)\/o\/(.+)$/;
const COMPOSE = /^\/b\/([^/]+)\/o\/(.+)\/compose$/;
const OBJECT = /^\/b\/([^/]+)\/o\/(.+)$/;
const OBJECTS = /^\/b\/([^/]+)\/o\/?$/;
const NOTIFICATIONS = /^\/b\/([^/]+)\/notificationConfigs(?:\/([^/]+))?\/?$/;
const BUCKET = /^\/b\/([^/]+)\/?$/;

async function reset(ctx: Ctx, res: ServerResponse): Promise<void> {
  ctx.store.reset();
  ctx.sessions.clear();
  ctx.feed.clear();
  res.writeHead(200, { "content-type": "application/json" }).end("{}");
}

async function route(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const rawPath = url.pathname;
  const q = url.searchParams;
  const method = req.method ?? "GET";

  if (rawPath === "/" && method === "GET") return void res.writeHead(200, { "content-type": "text/plain" }).end("OK");
  if ((rawPath === "/_reset" && method === "DELETE") || (rawPath === "/internal/reset" && method === "POST")) return reset(ctx, res);
  if (rawPath === "/emulator/v1/changes" && method === "GET") {
    const after = Number(q.get("after") ?? 0) || 0;
    const waitMs = Math.min(Math.max(Number(q.get("waitMs") ?? 0) || 0, 0), MAX_WAIT_MS);
    const page = await ctx.feed.wait(after, waitMs);
    return sendJson(res, 200, page);
  }

  let path = rawPath;
  let mode: "json" | "upload" | "download" = "json";
  if (path.startsWith("/upload/storage/v1/")) [path, mode] = [path.slice(18), "upload"];
  else if (path.startsWith("/download/storage/v1/")) [path, mode] = [path.slice(20), "download"];
  else if (path.startsWith("/storage/v1/")) path = path.slice(11);

  let m: RegExpExecArray | null;
  if (mode === "upload") {
    if ((m = OBJECTS.exec(path))) {
      const uploadId = q.get("upload_id");
      if (uploadId && method === "PUT") return handleResumablePut(ctx, req, res, uploadId, q);
      if (uploadId && method === "DELETE") return cancelResumable(ctx, res, uploadId);
      if (method === "POST") return handleUpload(ctx, req, res, dec(m[1]!), q);
    }
    throw notFound("upload endpoint");
  }
  if (mode === "download") {
    if ((m = OBJECT.exec(path)) && (method === "GET" || method === "HEAD")) return getObject(ctx, req, res, dec(m[1]!), dec(m[2]!), q, true);
    throw notFound("download endpoint");
  }
  if ((m = REWRITE.exec(path)) && method === "POST") {
    const target = { srcBucket: dec(m[1]!), srcName: dec(m[2]!), dstBucket: dec(m[4]!), dstName: dec(m[5]!) };
    return rewriteRoute(ctx, req, res, target, q, m[3] as "copyTo" | "rewriteTo");
  }
  if ((m = COMPOSE.exec(path)) && method === "POST") return composeRoute(ctx, req, res, dec(m[1]!), dec(m[2]!), q);
  if ((m = OBJECT.exec(path))) {
    const [bucket, name] = [dec(m[1]!), dec(m[2]!)];
    if (method === "GET" || method === "HEAD") return getObject(ctx, req, res, bucket, name, q, false);
    if (method === "PATCH") return patchObject(ctx, req, res, bucket, name, q, "patch");
    if (method === "PUT") return patchObject(ctx, req, res, bucket, name, q, "update");
    if (method === "DELETE") return deleteRoute(ctx, res, bucket, name, q);
  }
  if ((m = OBJECTS.exec(path))) {
    if (method === "GET") return listRoute(ctx, res, dec(m[1]!), q);
    if (method === "POST" && q.has("uploadType")) return handleUpload(ctx, req, res, dec(m[1]!), q);
  }
  if ((m = NOTIFICATIONS.exec(path))) {
    if (method === "POST" && !m[2]) return createNotification(ctx, req, res, dec(m[1]!), q);
    if (method === "GET" || (method === "DELETE" && m[2])) return notificationRoute(ctx, res, method, dec(m[1]!), m[2] && dec(m[2]), q);
  }
  if ((m = BUCKET.exec(path))) {
    const bucket = dec(m[1]!);
    if (method === "GET") return getBucket(ctx, res, bucket, q);
    if (method === "PATCH" || method === "PUT") return patchBucket(ctx, req, res, bucket, q);
    if (method === "DELETE") return deleteBucket(ctx, res, bucket, q);
  }
  if (path === "/b" || path === "/b/") {
    if (method === "GET") return listBuckets(ctx, res, q);
    if (method === "POST") return createBucket(ctx, req, res, q);
  }
  const xml = /^\/([^/]+)\/(.+)$/.exec(rawPath);
  if (xml && rawPath === path) return handleXml(ctx, req, res, dec(xml[1]!), dec(xml[2]!), rawPath, q);
  throw new ApiError(404, "notFound", `Not found: ${method} ${rawPath}`);
}

export async function handleRequest(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await route(ctx, req, res);
  } catch (err) {
    // Let an unread body drain so the client can read the error instead of a reset.
    if (!req.complete) req.resume();
    if (err instanceof XmlError) return sendXmlError(res, err);
    if (err instanceof ApiError && err.code === 304) return void res.writeHead(304).end();
    if (err instanceof ApiError) return sendJsonError(res, err);
    console.error("storage-server: internal error", err);
    sendJsonError(res, new ApiError(500, "badRequest", "Internal error."));
  }
}
