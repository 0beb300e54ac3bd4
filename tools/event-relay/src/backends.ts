/**
 * Reads the Functions emulator's `GET /backends` answer: `{ backends: [{ directory, env,
 * functionTriggers: EmulatedTriggerDefinition[] }] }` (firebase-tools
 * lib/emulator/functionsEmulatorShared.js, toBackendInfo / emulatedFunctionsFromEndpoints).
 * Every v2 event trigger carries `eventTrigger: { eventType, resource?, eventFilters,
 * eventFilterPathPatterns? }`; a scheduled one `schedule: { schedule, timeZone, retryConfig }`.
 * `retry` is not part of the definition, so it comes from the manifest (see manifest.ts).
 */
import type { FirestoreOperation, RetryConfig, Trigger } from "./types";

export type Backend = { directory: string; env: Record<string, string>; triggers: Trigger[] };

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const rec = (v: unknown): Json => (isRecord(v) ? v : {});

const FIRESTORE_EVENT = /^google\.cloud\.firestore\.document\.v1\.(written|created|updated|deleted)(\.withAuthContext)?$/;
const STORAGE_EVENT = /^google\.cloud\.storage\.object\.v1\.(finalized|deleted|archived|metadataUpdated)$/;
const PUBSUB_EVENT = "google.cloud.pubsub.topic.v1.messagePublished";

export type ParseContext = { project: string; defaultBucket: (env: Record<string, string>) => string };

export function parseBackends(body: unknown, ctx: ParseContext): Backend[] {
  const backends = isRecord(body) && Array.isArray(body.backends) ? body.backends : [];
  return backends.filter(isRecord).map((b) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(rec(b.env))) if (typeof v === "string") env[k] = v;
    const defs = Array.isArray(b.functionTriggers) ? b.functionTriggers.filter(isRecord) : [];
    const triggers = defs.flatMap((d) => {
      const t = parseTrigger(d, ctx.defaultBucket(env));
      return t ? [t] : [];
    });
    return { directory: str(b.directory) ?? "", env, triggers };
  });
}

function parseTrigger(def: Json, defaultBucket: string): Trigger | undefined {
  const name = str(def.name);
  const region = str(def.region) ?? "us-central1";
  if (!name || def.platform !== "gcfv2") return undefined;
  const base = { id: str(def.id) ?? `${region}-${name}`, name, region, timeoutSeconds: num(def.timeoutSeconds) ?? 60, retry: false };
  if (isRecord(def.schedule)) {
    const s = def.schedule;
    const schedule = str(s.schedule);
    if (!schedule) return undefined;
    return { ...base, kind: "schedule", schedule, timeZone: str(s.timeZone) ?? "UTC", retryConfig: parseRetryConfig(s.retryConfig) };
  }
  const trigger = rec(def.eventTrigger);
  const eventType = str(trigger.eventType) ?? "";
  const filters = rec(trigger.eventFilters);
  const firestore = FIRESTORE_EVENT.exec(eventType);
  if (firestore) {
    const document = str(rec(trigger.eventFilterPathPatterns).document) ?? str(filters.document);
    if (!document) return undefined;
    return {
      ...base,
      kind: "firestore",
      eventType,
      operation: firestore[1] as FirestoreOperation,
      withAuthContext: Boolean(firestore[2]),
      database: str(filters.database) ?? "(default)",
      namespace: str(filters.namespace) ?? "(default)",
      document: document.replace(/^\/+|\/+$/g, ""),
    };
  }
  const storage = STORAGE_EVENT.exec(eventType);
  if (storage) {
    const bucket = str(filters.bucket) ?? str(trigger.resource) ?? defaultBucket;
    return { ...base, kind: "storage", eventType, action: storage[1], bucket: bucket.replace(/^projects\/_\/buckets\//, "") };
  }
  if (eventType === PUBSUB_EVENT) {
    const topic = str(filters.topic) ?? str(trigger.resource);
    if (!topic) return undefined;
    return { ...base, kind: "pubsub", topic: topic.split("/").pop() ?? topic };
  }
  return undefined;
}

function parseRetryConfig(v: unknown): RetryConfig {
  const r = rec(v);
  const out: RetryConfig = {};
  for (const key of ["retryCount", "maxRetrySeconds", "minBackoffSeconds", "maxBackoffSeconds", "maxDoublings"] as const) {
    const n = num(r[key]);
    if (n !== undefined) out[key] = n;
  }
  return out;
}

/**
 * The bucket a trigger without one listens to: firebase-functions takes `storageBucket` from
 * FIREBASE_CONFIG, which the emulator sets to `<project>.appspot.com` for demo projects.
 */
export function defaultBucketFrom(env: Record<string, string>, project: string): string {
  try {
    const config: unknown = JSON.parse(env.FIREBASE_CONFIG ?? "{}");
    const bucket = isRecord(config) ? str(config.storageBucket) : undefined;
    if (bucket) return bucket;
  } catch {
    // FIREBASE_CONFIG may also be a file path; the project default applies then.
  }
  return `${project}.appspot.com`;
}
