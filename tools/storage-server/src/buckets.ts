/** JSON API bucket routes and bucket notification configs. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Ctx } from "./context";
import { ApiError, conflict, invalid, notFound, required } from "./errors";
import { optionalString, readJson, requireBucket, sendJson, stringMap } from "./http-util";
import { bucketResource, notificationResource } from "./resource";
import type { BucketState } from "./store";
import type { NotificationRecord } from "./types";

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

function checkMetagenerations(q: URLSearchParams, state: BucketState): void {
  const match = q.get("ifMetagenerationMatch");
  const notMatch = q.get("ifMetagenerationNotMatch");
  if (match !== null && match !== String(state.record.metageneration)) throw new ApiError(412, "conditionNotMet", "Precondition failed.");
  if (notMatch !== null && notMatch === String(state.record.metageneration)) throw new ApiError(412, "conditionNotMet", "Precondition failed.");
}

export async function createBucket(ctx: Ctx, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
  const body = await readJson(req);
  const name = optionalString(body["name"], "name");
  if (!name) throw required("name");
  if (!BUCKET_NAME.test(name) || name.includes("..")) throw invalid(`Invalid bucket name: '${name}'`);
  if (ctx.store.buckets.has(name)) throw conflict("Your previous request to create the named bucket succeeded and you already own it.");
  const now = new Date(ctx.now()).toISOString();
  const location = (optionalString(body["location"], "location") ?? "US").toUpperCase();
  const state: BucketState = {
    record: {
      name,
      location,
      locationType: /-/.test(location) ? "region" : "multi-region",
      storageClass: optionalString(body["storageClass"], "storageClass") ?? "STANDARD",
      timeCreated: now,
      updated: now,
      metageneration: 1,
    },
    objects: new Map(),
    notifications: [],
    nextNotificationId: 1,
  };
  const labels = stringMap(body["labels"], "labels");
  if (labels) state.record.labels = labels;
  const versioning = body["versioning"] as { enabled?: unknown } | undefined;
  if (versioning && typeof versioning.enabled === "boolean") state.record.versioning = { enabled: versioning.enabled };
  ctx.store.buckets.set(name, state);
  ctx.store.saveBucket(state);
  sendJson(res, 200, bucketResource(state.record, ctx.baseUrl), q);
}

export function getBucket(ctx: Ctx, res: ServerResponse, name: string, q: URLSearchParams): void {
  const state = requireBucket(ctx.store, name);
  checkMetagenerations(q, state);
  sendJson(res, 200, bucketResource(state.record, ctx.baseUrl), q);
}

export function listBuckets(ctx: Ctx, res: ServerResponse, q: URLSearchParams): void {
  const prefix = q.get("prefix") ?? "";
  const items = [...ctx.store.buckets.values()]
    .map((s) => s.record)
    .filter((b) => b.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const max = Number(q.get("maxResults") ?? 1000) || 1000;
  const after = q.get("pageToken") ? Buffer.from(q.get("pageToken")!, "base64url").toString() : "";
  const page = items.filter((b) => b.name > after).slice(0, max);
  const body: Record<string, unknown> = { kind: "storage#buckets", items: page.map((b) => bucketResource(b, ctx.baseUrl)) };
  const lastName = page.at(-1)?.name;
  if (lastName && items.some((b) => b.name > lastName)) body["nextPageToken"] = Buffer.from(lastName).toString("base64url");
  sendJson(res, 200, body, q);
}

export async function patchBucket(ctx: Ctx, req: IncomingMessage, res: ServerResponse, name: string, q: URLSearchParams): Promise<void> {
  const body = await readJson(req);
  const state = requireBucket(ctx.store, name);
  checkMetagenerations(q, state);
  const r = state.record;
  if (body["labels"] === null) delete r.labels;
  else if (body["labels"] !== undefined) {
    const merged = { ...(r.labels ?? {}) };
    for (const [k, v] of Object.entries(body["labels"] as Record<string, unknown>)) {
      if (v === null) delete merged[k];
      else merged[k] = String(v);
    }
    r.labels = merged;
  }
  const storageClass = optionalString(body["storageClass"], "storageClass");
  if (storageClass) r.storageClass = storageClass;
  const versioning = body["versioning"] as { enabled?: unknown } | undefined;
  if (versioning && typeof versioning.enabled === "boolean") r.versioning = { enabled: versioning.enabled };
  r.metageneration += 1;
  r.updated = new Date(ctx.now()).toISOString();
  ctx.store.saveBucket(state);
  sendJson(res, 200, bucketResource(r, ctx.baseUrl), q);
}

export function deleteBucket(ctx: Ctx, res: ServerResponse, name: string, q: URLSearchParams): void {
  const state = requireBucket(ctx.store, name);
  checkMetagenerations(q, state);
  if (state.objects.size > 0) throw conflict("The bucket you tried to delete is not empty.");
  ctx.store.removeBucket(name);
  res.writeHead(204).end();
}

export async function createNotification(ctx: Ctx, req: IncomingMessage, res: ServerResponse, bucket: string, q: URLSearchParams): Promise<void> {
  const body = await readJson(req);
  const state = requireBucket(ctx.store, bucket);
  const topic = optionalString(body["topic"], "topic");
  if (!topic) throw required("topic");
  const n: NotificationRecord = { id: String(state.nextNotificationId++), topic, payload_format: optionalString(body["payload_format"], "payload_format") ?? "JSON_API_V1" };
  if (Array.isArray(body["event_types"])) n.event_types = body["event_types"].map(String);
  const prefix = optionalString(body["object_name_prefix"], "object_name_prefix");
  if (prefix) n.object_name_prefix = prefix;
  const attrs = stringMap(body["custom_attributes"], "custom_attributes");
  if (attrs) n.custom_attributes = attrs;
  state.notifications.push(n);
  ctx.store.saveBucket(state);
  sendJson(res, 200, notificationResource(bucket, n, ctx.baseUrl), q);
}

export function notificationRoute(ctx: Ctx, res: ServerResponse, method: string, bucket: string, id: string | undefined, q: URLSearchParams): void {
  const state = requireBucket(ctx.store, bucket);
  if (id === undefined) {
    sendJson(res, 200, { kind: "storage#notifications", items: state.notifications.map((n) => notificationResource(bucket, n, ctx.baseUrl)) }, q);
    return;
  }
  const idx = state.notifications.findIndex((n) => n.id === id);
  if (idx < 0) throw notFound("notification");
  if (method === "DELETE") {
    state.notifications.splice(idx, 1);
    ctx.store.saveBucket(state);
    res.writeHead(204).end();
    return;
  }
  sendJson(res, 200, notificationResource(bucket, state.notifications[idx]!, ctx.baseUrl), q);
}
