/**
 * `copyTo` (one call) and `rewriteTo` (possibly several calls chained by `rewriteToken`),
 * within or across buckets. A rewrite copies at most `maxBytesRewrittenPerCall` bytes per call
 * when the caller sets it; otherwise it completes in one call, as production does for objects
 * that stay in the same location and storage class.
 */
import { randomUUID } from "node:crypto";
import { createReadStream, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Ctx } from "./context";
import { invalid } from "./errors";
import { Hasher, writeStreamToFile } from "./hashing";
import { readJson, requireBucket, sendJson } from "./http-util";
import { finalizeObject, validateObjectName, writableFields } from "./object-writes";
import { findObject } from "./objects";
import { checkPreconditions, readPreconditions } from "./preconditions";
import { objectResource, type Json } from "./resource";
import type { ObjectRecord, WritableObjectFields } from "./types";

type Pending = { source: ObjectRecord; tmpFile: string; copied: number; hasher: Hasher; timer?: NodeJS.Timeout };

const pending = new Map<string, Pending>();
/** Abandoned rewrites are dropped after this long. */
const PENDING_TTL_MS = 10 * 60_000;

type Target = { srcBucket: string; srcName: string; dstBucket: string; dstName: string };

function destinationFields(source: ObjectRecord, body: Json): WritableObjectFields {
  const { contentType, contentEncoding, contentDisposition, contentLanguage, cacheControl, metadata } = source;
  const fromSource: WritableObjectFields = { contentType, contentEncoding, contentDisposition, contentLanguage, cacheControl, metadata };
  for (const k of Object.keys(fromSource) as (keyof WritableObjectFields)[]) if (fromSource[k] === undefined) delete fromSource[k];
  return { ...fromSource, ...writableFields(body) };
}

async function copyBytes(ctx: Ctx, p: Pending, limit: number): Promise<void> {
  const file = ctx.store.dataPath(p.source.bucket, p.source.name, p.source.generation);
  const end = Math.min(p.source.size, p.copied + limit) - 1;
  if (end < p.copied) return;
  const written = await writeStreamToFile(createReadStream(file, { start: p.copied, end }) as AsyncIterable<Buffer>, p.tmpFile, { append: true, hasher: p.hasher });
  p.copied += written;
}

export async function rewriteRoute(ctx: Ctx, req: IncomingMessage, res: ServerResponse, t: Target, q: URLSearchParams, kind: "copyTo" | "rewriteTo"): Promise<void> {
  const body = await readJson(req);
  validateObjectName(t.dstName);
  requireBucket(ctx.store, t.dstBucket);
  const dstPre = readPreconditions(q);
  const srcPre = readPreconditions(q, "ifSource");
  const tokenIn = q.get("rewriteToken");
  let p = tokenIn ? pending.get(tokenIn) : undefined;
  if (tokenIn && !p) throw invalid("Invalid rewriteToken.");
  if (p) {
    clearTimeout(p.timer);
    pending.delete(tokenIn!);
  } else {
    const source = findObject(ctx, t.srcBucket, t.srcName, q.get("sourceGeneration"));
    checkPreconditions(srcPre, source);
    checkPreconditions(dstPre, ctx.store.buckets.get(t.dstBucket)?.objects.get(t.dstName));
    p = { source, tmpFile: ctx.store.tmpPath(), copied: 0, hasher: new Hasher() };
  }
  const perCall = Number(q.get("maxBytesRewrittenPerCall") ?? 0);
  if (kind === "rewriteTo" && perCall > 0 && perCall % (1024 * 1024) !== 0) throw invalid("maxBytesRewrittenPerCall must be a multiple of 1048576.");
  await copyBytes(ctx, p, kind === "rewriteTo" && perCall > 0 ? perCall : Number.MAX_SAFE_INTEGER);
  if (p.copied < p.source.size) {
    const token = randomUUID();
    const entry = p;
    entry.timer = setTimeout(() => {
      pending.delete(token);
      rmSync(entry.tmpFile, { force: true });
    }, PENDING_TTL_MS);
    entry.timer.unref();
    pending.set(token, entry);
    sendJson(res, 200, { kind: "storage#rewriteResponse", totalBytesRewritten: String(p.copied), objectSize: String(p.source.size), done: false, rewriteToken: token }, q);
    return;
  }
  if (p.source.size === 0) writeFileSync(p.tmpFile, "");
  const record = finalizeObject(ctx, {
    bucket: t.dstBucket,
    name: t.dstName,
    fields: destinationFields(p.source, body),
    tmpFile: p.tmpFile,
    digest: p.hasher.digest(),
    preconditions: dstPre,
  });
  const resource = objectResource(record, ctx.baseUrl);
  if (kind === "copyTo") return sendJson(res, 200, resource, q);
  sendJson(res, 200, { kind: "storage#rewriteResponse", totalBytesRewritten: String(record.size), objectSize: String(record.size), done: true, resource }, q);
}

export function clearPendingRewrites(): void {
  for (const p of pending.values()) clearTimeout(p.timer);
  pending.clear();
}
