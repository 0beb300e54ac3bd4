/**
 * The one place objects change: finalizing uploaded bytes, metadata updates and deletes. Each
 * change is persisted, then published on the change feed in the order production notifies:
 * an overwrite is `finalized` for the new generation followed by `deleted` for the replaced one
 * (OBJECT_DELETE covers overwritten objects in non-versioned buckets).
 */
import { rmSync } from "node:fs";
import type { Ctx } from "./context";
import { ApiError, invalid, required } from "./errors";
import type { Digest } from "./hashing";
import { optionalString, requireBucket, stringMap } from "./http-util";
import { checkPreconditions } from "./preconditions";
import { objectResource, type Json } from "./resource";
import type { ObjectRecord, Preconditions, WritableObjectFields } from "./types";

export function validateObjectName(name: string | null | undefined): string {
  if (!name) throw required("name");
  if (Buffer.byteLength(name) > 1024 || /[\r\n]/.test(name) || name === "." || name === "..") throw invalid(`Invalid object name: ${name}`);
  return name;
}

/** The client-settable fields of an object resource in a request body. */
export function writableFields(body: Json): WritableObjectFields {
  const out: WritableObjectFields = {};
  for (const key of ["contentType", "contentEncoding", "contentDisposition", "contentLanguage", "cacheControl", "storageClass"] as const) {
    const v = optionalString(body[key], key);
    if (v !== undefined) out[key] = v;
  }
  const metadata = stringMap(body["metadata"], "metadata");
  if (metadata) out.metadata = metadata;
  return out;
}

/** Parses `x-goog-hash: crc32c=...,md5=...` (also the body's crc32c / md5Hash fields). */
export function expectedHashes(header: string | string[] | undefined, body?: Json): { crc32c?: string; md5Hash?: string } {
  const out: { crc32c?: string; md5Hash?: string } = {};
  for (const part of String(header ?? "").split(",")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const [k, v] = [part.slice(0, i).trim(), part.slice(i + 1).trim()];
    if (k === "crc32c") out.crc32c = v;
    if (k === "md5") out.md5Hash = v;
  }
  if (typeof body?.["crc32c"] === "string") out.crc32c = body["crc32c"];
  if (typeof body?.["md5Hash"] === "string") out.md5Hash = body["md5Hash"];
  return out;
}

export type FinalizeInput = {
  bucket: string;
  name: string;
  fields: WritableObjectFields;
  tmpFile: string;
  digest: Digest;
  preconditions: Preconditions;
  expected?: { crc32c?: string; md5Hash?: string };
};

export function finalizeObject(ctx: Ctx, input: FinalizeInput): ObjectRecord {
  try {
    const state = requireBucket(ctx.store, input.bucket);
    const current = state.objects.get(input.name);
    checkPreconditions(input.preconditions, current);
    const { expected, digest } = input;
    if (expected?.crc32c && expected.crc32c !== digest.crc32c) {
      throw new ApiError(400, "invalid", `Provided CRC32C "${expected.crc32c}" doesn't match calculated CRC32C "${digest.crc32c}".`);
    }
    if (expected?.md5Hash && expected.md5Hash !== digest.md5Hash) {
      throw new ApiError(400, "invalid", `Provided MD5 hash "${expected.md5Hash}" doesn't match calculated MD5 hash "${digest.md5Hash}".`);
    }
    const now = new Date(ctx.now()).toISOString();
    const record: ObjectRecord = {
      ...input.fields,
      bucket: input.bucket,
      name: input.name,
      generation: ctx.store.nextGeneration(),
      metageneration: 1,
      size: digest.size,
      crc32c: digest.crc32c,
      md5Hash: digest.md5Hash,
      storageClass: input.fields.storageClass ?? state.record.storageClass,
      timeCreated: now,
      updated: now,
    };
    const previous = ctx.store.putObject(record, input.tmpFile);
    ctx.feed.emit("finalized", record.bucket, objectResource(record, ctx.baseUrl));
    if (previous) ctx.feed.emit("deleted", previous.bucket, objectResource(previous, ctx.baseUrl));
    return record;
  } catch (err) {
    rmSync(input.tmpFile, { force: true });
    throw err;
  }
}

/** Patch (merge; null removes a key) or update (replace) the writable metadata; metageneration + 1. */
export function updateObjectMetadata(ctx: Ctx, current: ObjectRecord, body: Json, mode: "patch" | "update"): ObjectRecord {
  const next: ObjectRecord = { ...current };
  if (mode === "update") {
    for (const key of ["contentType", "contentEncoding", "contentDisposition", "contentLanguage", "cacheControl", "metadata"] as const) delete next[key];
  }
  for (const key of ["contentType", "contentEncoding", "contentDisposition", "contentLanguage", "cacheControl"] as const) {
    if (body[key] === null) delete next[key];
    else if (body[key] !== undefined) next[key] = optionalString(body[key], key);
  }
  if (body["metadata"] === null) delete next.metadata;
  else if (body["metadata"] !== undefined) {
    const patch = body["metadata"];
    if (typeof patch !== "object" || Array.isArray(patch)) throw invalid("Invalid value for field 'metadata'.");
    const merged: Record<string, string> = mode === "patch" ? { ...(current.metadata ?? {}) } : {};
    for (const [k, v] of Object.entries(patch as Json)) {
      if (v === null) delete merged[k];
      else merged[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    next.metadata = merged;
  }
  next.metageneration = current.metageneration + 1;
  next.updated = new Date(ctx.now()).toISOString();
  ctx.store.putObject(next);
  ctx.feed.emit("metadataUpdated", next.bucket, objectResource(next, ctx.baseUrl));
  return next;
}

export function deleteObject(ctx: Ctx, current: ObjectRecord): void {
  ctx.store.deleteObject(current);
  ctx.feed.emit("deleted", current.bucket, objectResource(current, ctx.baseUrl));
}
