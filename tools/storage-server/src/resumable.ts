/**
 * Resumable uploads. The initiating POST answers the session URI in `Location`; each PUT appends
 * bytes and is answered 308 with `Range: bytes=0-N` (the bytes persisted so far) until the total
 * is known and reached. Bytes that arrived before a dropped connection are kept, so a client can
 * ask `Content-Range: bytes * /*` and resume from there. Sessions live on disk (uploads/).
 */
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type { Ctx } from "./context";
import { ApiError, invalid, notFound } from "./errors";
import { digestFile, writeStreamToFile } from "./hashing";
import { readJson, sendJson } from "./http-util";
import { expectedHashes, finalizeObject, validateObjectName, writableFields } from "./object-writes";
import { checkPreconditions, readPreconditions } from "./preconditions";
import { objectResource } from "./resource";
import type { Preconditions, WritableObjectFields } from "./types";

type Session = {
  id: string;
  bucket: string;
  name: string;
  fields: WritableObjectFields;
  preconditions: Preconditions;
  /** Declared by X-Upload-Content-Length or a Content-Range total. */
  total?: number;
  /** Set once finalized: the resulting generation. */
  generation?: string;
};

export class UploadSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly dir: string) {
    for (const f of existsSync(dir) ? readdirSync(dir) : []) {
      if (f.endsWith(".json")) {
        const s = JSON.parse(readFileSync(join(dir, f), "utf8")) as Session;
        this.sessions.set(s.id, s);
      }
    }
  }

  dataPath(id: string): string {
    return join(this.dir, `${id}.bin`);
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  save(s: Session): void {
    this.sessions.set(s.id, s);
    writeFileSync(join(this.dir, `${s.id}.json`), JSON.stringify(s));
  }

  remove(id: string): void {
    this.sessions.delete(id);
    rmSync(join(this.dir, `${id}.json`), { force: true });
    rmSync(this.dataPath(id), { force: true });
  }

  persisted(id: string): number {
    return existsSync(this.dataPath(id)) ? statSync(this.dataPath(id)).size : 0;
  }

  clear(): void {
    this.sessions.clear();
  }
}

export async function startResumable(ctx: Ctx, req: IncomingMessage, res: ServerResponse, bucket: string, query: URLSearchParams): Promise<void> {
  const body = await readJson(req);
  const name = validateObjectName(query.get("name") ?? (body["name"] as string | undefined));
  const preconditions = readPreconditions(query);
  checkPreconditions(preconditions, ctx.store.buckets.get(bucket)?.objects.get(name));
  const fields = writableFields(body);
  const uploadType = req.headers["x-upload-content-type"];
  if (typeof uploadType === "string" && !fields.contentType) fields.contentType = uploadType;
  const contentEncoding = query.get("contentEncoding");
  if (contentEncoding && !fields.contentEncoding) fields.contentEncoding = contentEncoding;
  const session: Session = { id: randomUUID().replace(/-/g, ""), bucket, name, fields, preconditions };
  const declared = Number(req.headers["x-upload-content-length"]);
  if (Number.isFinite(declared) && req.headers["x-upload-content-length"] !== undefined) session.total = declared;
  ctx.sessions.save(session);
  writeFileSync(ctx.sessions.dataPath(session.id), Buffer.alloc(0));
  // The Host the client used, so the session URI works through whatever name reached us.
  const origin = req.headers.host ? `http://${req.headers.host}` : ctx.baseUrl;
  const location = `${origin}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${session.id}`;
  res.writeHead(200, { location, "x-guploader-uploadid": session.id, "content-length": "0" }).end();
}

type ContentRange = { start?: number; end?: number; total?: number };

/** `bytes a-b/N`, `bytes a-b/*`, `bytes a-* /N`, `bytes * /N`, `bytes * /*` (no spaces). */
function parseContentRange(header: string | undefined): ContentRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes (?:(\d+)-(\d+|\*)|\*)\/(\d+|\*)$/.exec(header.trim());
  if (!m) throw invalid(`Invalid Content-Range: ${header}`);
  const out: ContentRange = {};
  if (m[1] !== undefined) out.start = Number(m[1]);
  if (m[2] !== undefined && m[2] !== "*") out.end = Number(m[2]);
  if (m[3] !== "*") out.total = Number(m[3]);
  return out;
}

function sendIncomplete(res: ServerResponse, persisted: number): void {
  const headers: Record<string, string> = { "content-length": "0" };
  if (persisted > 0) headers["range"] = `bytes=0-${persisted - 1}`;
  res.writeHead(308, headers).end();
}

/** Skips the first `n` bytes of a stream (bytes the server already has). */
async function* skip(source: AsyncIterable<Buffer>, n: number): AsyncGenerator<Buffer> {
  let left = n;
  for await (const chunk of source) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _chunk of req) void _chunk;
}

export async function handleResumablePut(ctx: Ctx, req: IncomingMessage, res: ServerResponse, uploadId: string, query: URLSearchParams): Promise<void> {
  const session = ctx.sessions.get(uploadId);
  if (!session) throw notFound("upload session");
  if (session.generation !== undefined) {
    await drain(req);
    const record = ctx.store.buckets.get(session.bucket)?.objects.get(session.name);
    if (!record || record.generation !== session.generation) throw new ApiError(410, "notFound", "The upload session has completed.");
    sendJson(res, 200, objectResource(record, ctx.baseUrl), query);
    return;
  }
  const range = parseContentRange(req.headers["content-range"]);
  let persisted = ctx.sessions.persisted(uploadId);
  if (range?.total !== undefined) session.total = range.total;
  if (range && range.start === undefined) {
    await drain(req);
  } else if ((range?.start ?? 0) > persisted) {
    // A gap: the client is ahead of what we hold; tell it where we are.
    await drain(req);
    sendIncomplete(res, persisted);
    return;
  } else {
    const overlap = persisted - (range?.start ?? 0);
    await writeStreamToFile(skip(req as AsyncIterable<Buffer>, overlap), ctx.sessions.dataPath(uploadId), { append: true });
    persisted = ctx.sessions.persisted(uploadId);
    // No Content-Range, or `a-*/*` (the client's single-request mode): a completed request
    // carries the rest of the object.
    if (req.complete && (range === undefined || (range.end === undefined && range.total === undefined))) session.total = persisted;
  }
  ctx.sessions.save(session);
  if (!req.complete) return; // Dropped connection: keep the bytes, no one to answer.
  if (session.total === undefined || persisted < session.total) {
    sendIncomplete(res, persisted);
    return;
  }
  if (persisted > session.total) throw invalid("More bytes were uploaded than the declared total.");
  const tmpFile = ctx.sessions.dataPath(uploadId);
  const digest = await digestFile(tmpFile);
  const record = finalizeObject(ctx, {
    bucket: session.bucket,
    name: session.name,
    fields: session.fields,
    tmpFile,
    digest,
    preconditions: session.preconditions,
    expected: expectedHashes(req.headers["x-goog-hash"]),
  });
  session.generation = record.generation;
  ctx.sessions.save(session);
  sendJson(res, 200, objectResource(record, ctx.baseUrl), query);
}

export function cancelResumable(ctx: Ctx, res: ServerResponse, uploadId: string): void {
  if (!ctx.sessions.get(uploadId)) throw notFound("upload session");
  ctx.sessions.remove(uploadId);
  res.writeHead(499, { "content-length": "0" }).end();
}
