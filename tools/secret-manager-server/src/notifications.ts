/**
 * Event notifications, as production sends them to each of a secret's topics (up to 10): the
 * attributes `eventType`, `dataFormat` (JSON_API_V1), `secretId` (the secret's name), `versionId`
 * (the version's name, version events only), `timestamp` (RFC 3339) and `deleteType` (deletions);
 * the data is the Secret or SecretVersion in the proto3 JSON mapping.
 */
import { PubSub } from "@google-cloud/pubsub";
import type { Notification } from "./store";
import { durationJson, rfc3339, type Duration, type Timestamp } from "./time";

const TIMESTAMPS = new Set(["create_time", "expire_time", "next_rotation_time", "destroy_time", "scheduled_destroy_time"]);
const DURATIONS = new Set(["ttl", "rotation_period", "version_destroy_ttl"]);
/** proto-loader's virtual oneof discriminators: not fields. */
const ONEOF_NAMES = new Set(["expiration", "replication", "replication_status"]);

const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The proto3 JSON mapping of a decoded resource: camelCase names, RFC 3339 times, `"3600s"` durations. */
export function toProto3Json(value: unknown, key = ""): unknown {
  if (value === null || value === undefined) return value;
  if (TIMESTAMPS.has(key)) return rfc3339(value as Timestamp);
  if (DURATIONS.has(key)) return durationJson(value as Duration);
  if (Buffer.isBuffer(value)) return value.toString("base64");
  if (Array.isArray(value)) return value.map((item) => toProto3Json(item));
  if (typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  const isMap = key === "labels" || key === "annotations" || key === "version_aliases";
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!isMap && ONEOF_NAMES.has(k) && typeof v === "string") continue;
    out[isMap ? k : camel(k)] = isMap ? String(v) : toProto3Json(v, k);
  }
  return out;
}

export type NotifierOptions = {
  /** `host:port` of the Pub/Sub server notifications go to. @default PUBSUB_EMULATOR_HOST */
  pubsubHost?: string;
  /** Called when a publish fails (a missing topic): production drops the message too. */
  onError?: (error: unknown, notification: Notification) => void;
};

export type Notifier = { publish(notification: Notification, now: number): Promise<void>; close(): Promise<void> };

export function createNotifier(options: NotifierOptions = {}): Notifier {
  const host = options.pubsubHost ?? process.env["PUBSUB_EMULATOR_HOST"];
  const clients = new Map<string, PubSub>();
  const clientFor = (project: string): PubSub => {
    let client = clients.get(project);
    if (!client) {
      // `apiEndpoint` carries the port: the client parses `host:port` and goes insecure for it.
      client = new PubSub({ projectId: project, ...(host ? { apiEndpoint: host, emulatorMode: true } : {}) });
      clients.set(project, client);
    }
    return client;
  };
  return {
    async publish(notification, now) {
      const topics = notification.secret.topics ?? [];
      if (topics.length === 0 || !host) return;
      const attributes: Record<string, string> = {
        eventType: notification.eventType,
        dataFormat: "JSON_API_V1",
        secretId: notification.secret.name!,
        timestamp: new Date(now).toISOString(),
      };
      if (notification.version) attributes["versionId"] = notification.version.name!;
      if (notification.deleteType) attributes["deleteType"] = notification.deleteType;
      const data = Buffer.from(JSON.stringify(toProto3Json(notification.version ?? notification.secret)), "utf8");
      await Promise.all(
        topics.map(async (topic) => {
          const name = topic.name!;
          try {
            await clientFor(name.split("/")[1]!).topic(name).publishMessage({ data, attributes });
          } catch (error) {
            options.onError?.(error, notification);
          }
        }),
      );
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.close()));
    },
  };
}
