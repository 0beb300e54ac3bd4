/**
 * `POST /upload/storage/v1/b/{bucket}/o?uploadType=media|multipart|resumable`. Bodies are
 * streamed into a temp file while hashing; the object becomes visible only once the whole body
 * arrived and the preconditions still hold.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { rmSync } from "node:fs";
import type { Ctx } from "./context";
import { invalid } from "./errors";
import { Hasher, writeStreamToFile } from "./hashing";
import { requireBucket, sendJson } from "./http-util";
import { boundaryOf, parseMultipart } from "./multipart";
import { expectedHashes, finalizeObject, validateObjectName, writableFields } from "./object-writes";
import { checkPreconditions, readPreconditions } from "./preconditions";
import { objectResource } from "./resource";
import { startResumable } from "./resumable";
import type { WritableObjectFields } from "./types";

export async function handleUpload(ctx: Ctx, req: IncomingMessage, res: ServerResponse, bucket: string, query: URLSearchParams): Promise<void> {
  const uploadType = query.get("uploadType") ?? "media";
  const preconditions = readPreconditions(query);
  const state = requireBucket(ctx.store, bucket);
  if (uploadType === "resumable") {
    await startResumable(ctx, req, res, bucket, query);
    return;
  }
  const tmpFile = ctx.store.tmpPath();
  const hasher = new Hasher();
  let name: string;
  let fields: WritableObjectFields;
  let expected = expectedHashes(req.headers["x-goog-hash"]);
  try {
    if (uploadType === "multipart") {
      const parsed = await parseMultipart(req as AsyncIterable<Buffer>, boundaryOf(req.headers["content-type"]));
      name = validateObjectName(query.get("name") ?? (parsed.metadata["name"] as string | undefined));
      checkPreconditions(preconditions, state.objects.get(name));
      fields = writableFields(parsed.metadata);
      fields.contentType ??= parsed.mediaContentType;
      expected = { ...expected, ...expectedHashes(undefined, parsed.metadata) };
      await writeStreamToFile(parsed.media, tmpFile, { hasher });
      await parsed.finish();
    } else if (uploadType === "media") {
      name = validateObjectName(query.get("name"));
      checkPreconditions(preconditions, state.objects.get(name));
      fields = {};
      const contentType = req.headers["content-type"];
      if (contentType) fields.contentType = contentType;
      const contentEncoding = query.get("contentEncoding");
      if (contentEncoding) fields.contentEncoding = contentEncoding;
      await writeStreamToFile(req as AsyncIterable<Buffer>, tmpFile, { hasher });
    } else {
      throw invalid(`Unsupported uploadType: ${uploadType}`);
    }
  } catch (err) {
    rmSync(tmpFile, { force: true });
    throw err;
  }
  if (!req.complete) {
    // The client went away mid-body: a simple or multipart upload is all or nothing.
    rmSync(tmpFile, { force: true });
    return;
  }
  const record = finalizeObject(ctx, { bucket, name, fields, tmpFile, digest: hasher.digest(), preconditions, expected });
  sendJson(res, 200, objectResource(record, ctx.baseUrl), query);
}
