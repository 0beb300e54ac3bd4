/**
 * Bucket notifications: every object change of a bucket with notification configs is published to
 * each config's Pub/Sub topic, as Cloud Storage does (attributes per the Pub/Sub notification
 * docs; data = the object resource for `JSON_API_V1`, empty for `NONE`). The publisher is injected:
 * the CLI builds one with `@google-cloud/pubsub` when PUBSUB_EMULATOR_HOST is set.
 */
import type { Change } from "./changes";
import type { Store } from "./store";
import type { ChangeKind, NotificationRecord } from "./types";

export type NotificationPublisher = (topic: string, message: { data: Buffer; attributes: Record<string, string> }) => Promise<unknown>;

const EVENT_TYPES: Record<ChangeKind, string> = {
  finalized: "OBJECT_FINALIZE",
  deleted: "OBJECT_DELETE",
  metadataUpdated: "OBJECT_METADATA_UPDATE",
};

/** `//pubsub.googleapis.com/projects/p/topics/t`, `projects/p/topics/t` or `t` -> the topic's short name and project. */
export function topicOf(topic: string): { project?: string; name: string } {
  const match = /(?:^|\/)projects\/([^/]+)\/topics\/([^/]+)$/.exec(topic);
  return match ? { project: match[1]!, name: match[2]! } : { name: topic };
}

export function notificationMessages(store: Store, change: Change, now: () => number): Array<{ topic: string; data: Buffer; attributes: Record<string, string> }> {
  const configs: NotificationRecord[] = store.buckets.get(change.bucket)?.notifications ?? [];
  const eventType = EVENT_TYPES[change.kind];
  const objectId = String(change.object["name"] ?? "");
  const out: Array<{ topic: string; data: Buffer; attributes: Record<string, string> }> = [];
  for (const config of configs) {
    if (config.event_types && !config.event_types.includes(eventType)) continue;
    if (config.object_name_prefix && !objectId.startsWith(config.object_name_prefix)) continue;
    out.push({
      topic: config.topic,
      data: config.payload_format === "NONE" ? Buffer.alloc(0) : Buffer.from(JSON.stringify(change.object)),
      attributes: {
        ...(config.custom_attributes ?? {}),
        notificationConfig: `projects/_/buckets/${change.bucket}/notificationConfigs/${config.id}`,
        eventType,
        payloadFormat: config.payload_format,
        bucketId: change.bucket,
        objectId,
        objectGeneration: String(change.object["generation"] ?? ""),
        eventTime: new Date(now()).toISOString(),
      },
    });
  }
  return out;
}

/** Publishes the notifications of each change, in order; a failed publish is logged, not retried (best effort, like a dropped notification). */
export function createNotifier(store: Store, publish: NotificationPublisher, now: () => number, log: (line: string) => void = (line) => console.error(line)) {
  let queue = Promise.resolve();
  return (change: Change): void => {
    const messages = notificationMessages(store, change, now);
    if (messages.length === 0) return;
    queue = queue.then(async () => {
      for (const message of messages) {
        try {
          await publish(message.topic, { data: message.data, attributes: message.attributes });
        } catch (error) {
          log(JSON.stringify({ event: "notification_publish_failed", topic: message.topic, error: error instanceof Error ? error.message : String(error) }));
        }
      }
    });
  };
}
