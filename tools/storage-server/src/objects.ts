/** JSON API object routes: get (metadata or media), list, patch/update, delete, compose. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Ctx } from "./context";
import { invalid, notFound, required } from "./errors";
import { Hasher, writeStreamToFile } from "./hashing";
import { readJson, requireBucket, sendJson } from "./http-util";
import { sendMedia } from "./download";
import { listObjects } from "./list";
import { deleteObject, finalizeObject, updateObjectMetadata, validateObjectName, writableFields } from "./object-writes";
import { checkPreconditions, readPreconditions } from "./preconditions";
import { objectResource, type Json } from "./resource";
import type { ObjectRecord } from "./types";
import { createReadStream } from "node:fs";

/** The live object, honouring an explicit `generation` (only the live one is kept). */
export function findObject(ctx: Ctx, bucket: string, name: string, generation: string | null): ObjectRecord {
  const o = requireBucket(ctx.store, bucket).objects.get(name);
  if (!o || (generation !== null && generation !== o.generation)) throw notFound("object");
  return o;
}

export async function getObject(ctx: Ctx, req: IncomingMessage, res: ServerResponse, bucket: string, name: string, q: URLSearchParams, media: boolean): Promise<void> {
  const o = findObject(ctx, bucket, name, q.get("generation"));
  checkPreconditions(readPreconditions(q), o, { read: true });
  if (media || q.get("alt") === "media") return sendMedia(ctx, req, res, o, q);
  sendJson(res, 200, objectResource(o, ctx.baseUrl), q);
}

export function listRoute(ctx: Ctx, res: ServerResponse, bucket: string, q: URLSearchParams): void {
  const state = requireBucket(ctx.store, bucket);
  const result = listObjects(state.objects.values(), q);
  const body: Json = { kind: "storage#objects" };
  if (result.prefixes.length > 0) body["prefixes"] = result.prefixes;
  if (result.items.length > 0) body["items"] = result.items.map((o) => objectResource(o, ctx.baseUrl));
  if (result.nextPageToken) body["nextPageToken"] = result.nextPageToken;
  sendJson(res, 200, body, q);
}

export async function patchObject(ctx: Ctx, req: IncomingMessage, res: ServerResponse, bucket: string, name: string, q: URLSearchParams, mode: "patch" | "update"): Promise<void> {
  const body = await readJson(req);
  const o = findObject(ctx, bucket, name, q.get("generation"));
  checkPreconditions(readPreconditions(q), o);
  sendJson(res, 200, objectResource(updateObjectMetadata(ctx, o, body, mode), ctx.baseUrl), q);
}

export function deleteRoute(ctx: Ctx, res: ServerResponse, bucket: string, name: string, q: URLSearchParams): void {
  const o = findObject(ctx, bucket, name, q.get("generation"));
  checkPreconditions(readPreconditions(q), o);
  deleteObject(ctx, o);
  res.writeHead(204).end();
}

/** `POST /b/{bucket}/o/{dest}/compose`: concatenates up to 32 source objects of the bucket. */
export async function composeRoute(ctx: Ctx, req: IncomingMessage, res: ServerResponse, bucket: string, name: string, q: URLSearchParams): Promise<void> {
  const body = await readJson(req);
  validateObjectName(name);
  const sources = body["sourceObjects"];
  if (!Array.isArray(sources) || sources.length === 0) throw required("sourceObjects");
  if (sources.length > 32) throw invalid("The number of source objects must be at most 32.");
  const records = sources.map((s: Json) => {
    if (typeof s["name"] !== "string") throw required("sourceObjects.name");
    const gen = s["generation"] === undefined ? null : String(s["generation"]);
    const o = findObject(ctx, bucket, s["name"], gen);
    const pre = s["objectPreconditions"] as Json | undefined;
    if (pre?.["ifGenerationMatch"] !== undefined) checkPreconditions({ ifGenerationMatch: String(pre["ifGenerationMatch"]) }, o);
    return o;
  });
  const preconditions = readPreconditions(q);
  checkPreconditions(preconditions, requireBucket(ctx.store, bucket).objects.get(name));
  const tmpFile = ctx.store.tmpPath();
  const hasher = new Hasher();
  const paths = records.map((o) => ctx.store.dataPath(o.bucket, o.name, o.generation));
  async function* concat(): AsyncGenerator<Buffer> {
    for (const p of paths) for await (const chunk of createReadStream(p)) yield chunk as Buffer;
  }
  await writeStreamToFile(concat(), tmpFile, { hasher });
  const fields = writableFields((body["destination"] as Json | undefined) ?? {});
  const record = finalizeObject(ctx, { bucket, name, fields, tmpFile, digest: hasher.digest(), preconditions });
  sendJson(res, 200, objectResource(record, ctx.baseUrl), q);
}
