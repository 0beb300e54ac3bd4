/**
 * The two change feeds as FeedSpecs: Firestore (per database) and Storage. Each change goes to
 * every matching trigger known at the time it is read.
 */
import type { Deliverer, Outcome, RetryPolicy } from "./deliverer";
import { cloudEventRequest } from "./emulator-client";
import type { FeedPage, FeedSpec } from "./feed";
import { firestoreCloudEvent, matchFirestore, relativeDocumentPath, stableEventId, type FirestoreChange } from "./firestore-event";
import type { BinaryCloudEvent, FirestoreTrigger, StorageTrigger, Trigger } from "./types";

export type SourceContext = {
  project: string;
  location: string;
  fetchFn: typeof fetch;
  deliverer: Deliverer;
  triggers: () => Trigger[];
  policy: (trigger: Trigger) => RetryPolicy;
};

async function getJson(fetchFn: typeof fetch, url: string, signal: AbortSignal): Promise<unknown> {
  const res = await fetchFn(url, { signal });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

function toPage<C>(body: unknown, isChange: (c: unknown) => c is C): FeedPage<C> {
  if (typeof body !== "object" || body === null) throw new Error("change feed: not an object");
  const { changes, lastSeq, truncated } = body as { changes?: unknown; lastSeq?: unknown; truncated?: unknown };
  if (!Array.isArray(changes) || typeof lastSeq !== "number") throw new Error("change feed: missing changes or lastSeq");
  return { changes: changes.filter(isChange), lastSeq, truncated: truncated === true };
}

const hasSeq = (c: unknown): c is { seq: number } & Record<string, unknown> =>
  typeof c === "object" && c !== null && typeof (c as { seq?: unknown }).seq === "number";

function send(ctx: SourceContext, trigger: Trigger, source: "firestore" | "storage", event: BinaryCloudEvent, orderKey: string): Promise<Outcome | undefined> {
  const job = { trigger, source, type: event.type, eventId: event.id, orderKey, request: cloudEventRequest(event), ...(event.subject ? { subject: event.subject } : {}) };
  return ctx.deliverer.deliver(job, ctx.policy(trigger));
}

export function firestoreFeed(ctx: SourceContext, baseUrl: string, database: string): FeedSpec<FirestoreChange> {
  const root = `${baseUrl}/emulator/v1/projects/${encodeURIComponent(ctx.project)}/databases/${encodeURIComponent(database)}/changes`;
  const isChange = (c: unknown): c is FirestoreChange => hasSeq(c) && typeof c.document === "string" && typeof c.commitTime === "string";
  return {
    name: `firestore/${ctx.project}/${database}`,
    head: async (signal) => {
      const body = await getJson(ctx.fetchFn, `${root}/head`, signal);
      const lastSeq = typeof body === "object" && body !== null ? (body as { lastSeq?: unknown }).lastSeq : undefined;
      if (typeof lastSeq !== "number") throw new Error("firestore change feed head: no lastSeq");
      return lastSeq;
    },
    page: async (after, waitMs, signal) => toPage(await getJson(ctx.fetchFn, `${root}?after=${after}&waitMs=${waitMs}`, signal), isChange),
    handle: (change) => {
      const path = relativeDocumentPath(change.document);
      return ctx
        .triggers()
        .filter((t): t is FirestoreTrigger => t.kind === "firestore" && t.database === database && matchFirestore(t, path, change) !== undefined)
        .map((t) => send(ctx, t, "firestore", firestoreCloudEvent(t, change, { project: ctx.project, database, location: ctx.location }), path));
    },
  };
}

/** One entry of `GET /emulator/v1/changes` (tools/storage-server). */
export type StorageChange = { seq: number; kind: string; bucket: string; object: Record<string, unknown> };

/**
 * `google.cloud.storage.object.v1.<kind>` with data = the JSON API object resource
 * (StorageObjectData in its JSON form, what firebase-functions hands over as `event.data`).
 */
export function storageCloudEvent(trigger: StorageTrigger, change: StorageChange): BinaryCloudEvent {
  const name = String(change.object.name ?? "");
  const generation = String(change.object.generation ?? "");
  const time = String((change.kind === "deleted" ? change.object.timeDeleted : undefined) ?? change.object.updated ?? new Date().toISOString());
  return {
    id: stableEventId("storage", change.kind, change.bucket, name, generation, String(change.object.metageneration ?? ""), change.seq),
    type: trigger.eventType,
    source: `//storage.googleapis.com/projects/_/buckets/${change.bucket}`,
    subject: `objects/${name}`,
    time,
    extensions: { bucket: change.bucket },
    contentType: "application/json",
    body: Buffer.from(JSON.stringify(change.object)),
  };
}

export function storageFeed(ctx: SourceContext, baseUrl: string): FeedSpec<StorageChange> {
  const root = `${baseUrl}/emulator/v1/changes`;
  const isChange = (c: unknown): c is StorageChange =>
    hasSeq(c) && typeof c.kind === "string" && typeof c.bucket === "string" && typeof c.object === "object" && c.object !== null;
  return {
    name: "storage",
    // An `after` ahead of the sequence answers at once with the current lastSeq and no changes.
    head: async (signal) => toPage(await getJson(ctx.fetchFn, `${root}?after=${Number.MAX_SAFE_INTEGER}&waitMs=0`, signal), isChange).lastSeq,
    page: async (after, waitMs, signal) => toPage(await getJson(ctx.fetchFn, `${root}?after=${after}&waitMs=${waitMs}`, signal), isChange),
    handle: (change) =>
      ctx
        .triggers()
        .filter((t): t is StorageTrigger => t.kind === "storage" && t.action === change.kind && t.bucket === change.bucket)
        .map((t) => send(ctx, t, "storage", storageCloudEvent(t, change), `${change.bucket}/${String(change.object.name ?? "")}`)),
  };
}
