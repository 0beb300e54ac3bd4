/**
 * All state of the server: topics, subscriptions (each with its Delivery and, for push
 * subscriptions, a PushDispatcher) and snapshots, keyed by full resource name. Every project
 * lives side by side, as in the official emulator.
 */
import { Delivery, type DeliverySettings, type StoredMessage } from "./delivery";
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from "./errors";
import { compileFilter, type Filter } from "./filter";
import { DELETED_TOPIC, parseName, projectOf } from "./names";
import { PushDispatcher, type Fetch } from "./push";
import { backoffFor, normaliseSubscription, UPDATABLE } from "./subscription-config";
import { DAY, durationMs, toRfc3339 } from "./time";
import type { PubsubMessage, Subscription, Topic } from "./types";
import { Snapshots } from "./snapshots";

export type BrokerOptions = {
  /** @default Date.now */
  now?: () => number;
  /** Used by push subscriptions. @default globalThis.fetch */
  fetch?: Fetch;
};

export type SubRecord = {
  resource: Subscription;
  delivery: Delivery;
  filter: Filter;
  push?: PushDispatcher;
  /** Ends open streaming pulls (deleted or detached subscription). */
  streams: Set<(code: "NOT_FOUND" | "FAILED_PRECONDITION") => void>;
};

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export class Broker {
  readonly now: () => number;
  private readonly fetchFn: Fetch;
  readonly topics = new Map<string, Topic>();
  readonly subs = new Map<string, SubRecord>();
  readonly snapshots: Snapshots;
  private seq = 0;

  constructor(options: BrokerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.fetchFn = options.fetch ?? ((...args) => fetch(...args));
    this.snapshots = new Snapshots(this);
  }

  topicExists = (name: string): boolean => this.topics.has(name);

  requireTopic(name: string | undefined): Topic {
    parseName(name, "topics");
    const t = this.topics.get(name!);
    if (!t) throw notFound(`Topic not found (resource=${name})`);
    return t;
  }

  requireSub(name: string | undefined): SubRecord {
    parseName(name, "subscriptions");
    const s = this.subs.get(name!);
    if (!s) throw notFound(`Subscription does not exist (resource=${name})`);
    return s;
  }

  createTopic(topic: Topic): Topic {
    parseName(topic.name, "topics");
    if (this.topics.has(topic.name!)) throw alreadyExists(`Topic already exists (resource=${topic.name})`);
    const retention = durationMs(topic.message_retention_duration);
    if (retention !== undefined && (retention < 600_000 || retention > 31 * DAY)) throw invalidArgument("Invalid message_retention_duration");
    const stored: Topic = { name: topic.name, labels: topic.labels ?? {}, state: "ACTIVE" };
    if (topic.message_retention_duration) stored.message_retention_duration = topic.message_retention_duration;
    if (topic.kms_key_name) stored.kms_key_name = topic.kms_key_name;
    this.topics.set(topic.name!, stored);
    return stored;
  }

  updateTopic(topic: Topic | undefined, paths: string[]): Topic {
    const current = this.requireTopic(topic?.name);
    if (paths.length === 0) throw invalidArgument("update_mask must not be empty");
    for (const p of paths) {
      if (p === "labels") current.labels = topic!.labels ?? {};
      else if (p === "message_retention_duration") {
        if (topic!.message_retention_duration) current.message_retention_duration = topic!.message_retention_duration;
        else delete current.message_retention_duration;
      } else if (p !== "message_storage_policy" && p !== "kms_key_name" && p !== "schema_settings") {
        throw invalidArgument(`Invalid update_mask path: ${p}`);
      }
    }
    return current;
  }

  deleteTopic(name: string | undefined): void {
    this.requireTopic(name);
    this.topics.delete(name!);
    for (const s of this.subs.values()) if (s.resource.topic === name) s.resource.topic = DELETED_TOPIC;
    this.snapshots.topicDeleted(name!);
  }

  publish(topicName: string | undefined, messages: PubsubMessage[] | undefined): string[] {
    this.requireTopic(topicName);
    if (!messages?.length) throw invalidArgument("The request contains no messages");
    const key = messages[0]!.ordering_key ?? "";
    for (const m of messages) validateMessage(m, key);
    return messages.map((m) => this.append(topicName!, m.data ?? Buffer.alloc(0), m.attributes ?? {}, m.ordering_key ?? ""));
  }

  private append(topic: string, data: Buffer, attributes: Record<string, string>, orderingKey: string): string {
    const seq = ++this.seq;
    const size = data.length + Object.entries(attributes).reduce((n, [k, v]) => n + k.length + v.length, 0) + orderingKey.length;
    const msg: StoredMessage = { id: String(seq), seq, data, attributes, orderingKey, publishMs: this.now(), size };
    for (const s of this.subs.values()) {
      if (s.resource.topic === topic && !s.resource.detached && s.filter(attributes)) s.delivery.add(msg);
    }
    this.snapshots.published(topic, msg);
    return msg.id;
  }

  createSubscription(sub: Subscription): Subscription {
    parseName(sub.name, "subscriptions");
    this.requireTopic(sub.topic);
    if (this.subs.has(sub.name!)) throw alreadyExists(`Subscription already exists (resource=${sub.name})`);
    const resource = normaliseSubscription(sub, this.topicExists);
    const record: SubRecord = {
      resource,
      filter: compileFilter(resource.filter),
      delivery: new Delivery(this.settingsFor(resource), this.now),
      streams: new Set(),
    };
    this.subs.set(resource.name!, record);
    this.syncPush(record);
    return resource;
  }

  updateSubscription(sub: Subscription | undefined, paths: string[]): Subscription {
    const record = this.requireSub(sub?.name);
    if (paths.length === 0) throw invalidArgument("update_mask must not be empty");
    const merged: Subscription = { ...record.resource };
    for (const p of paths) {
      if (!UPDATABLE.has(p)) throw invalidArgument(`Invalid update_mask path: ${p}`);
      (merged as Record<string, unknown>)[p] = (sub as Record<string, unknown>)[p];
    }
    const resource = normaliseSubscription(merged, this.topicExists);
    if (resource.detached && !record.resource.detached) this.detachRecord(record);
    record.resource = resource;
    record.delivery.settings = this.settingsFor(resource);
    this.syncPush(record);
    record.delivery.dispatch();
    return resource;
  }

  deleteSubscription(name: string | undefined): void {
    const record = this.requireSub(name);
    this.subs.delete(name!);
    record.push?.close();
    record.delivery.close();
    for (const end of record.streams) end("NOT_FOUND");
  }

  detach(name: string | undefined): void {
    const record = this.requireSub(name);
    if (!record.resource.detached) this.detachRecord(record);
    record.resource.detached = true;
  }

  private detachRecord(record: SubRecord): void {
    record.resource.detached = true;
    record.delivery.purge();
    for (const end of record.streams) end("FAILED_PRECONDITION");
    this.syncPush(record);
  }

  /** The subscription, checked to be usable for pulling. */
  pullable(name: string | undefined): SubRecord {
    const record = this.requireSub(name);
    if (record.resource.detached) throw failedPrecondition(`Subscription is detached (resource=${name})`);
    return record;
  }

  seekToTime(name: string | undefined, ms: number): void {
    this.pullable(name).delivery.seekToTime(ms);
  }

  reset(): void {
    for (const name of [...this.subs.keys()]) this.deleteSubscription(name);
    this.topics.clear();
    this.snapshots.clear();
  }

  resetProject(project: string): void {
    const inProject = (name: string): boolean => projectOf(name) === project;
    for (const name of [...this.subs.keys()]) if (inProject(name)) this.deleteSubscription(name);
    for (const name of [...this.topics.keys()]) if (inProject(name)) this.topics.delete(name);
    this.snapshots.clearProject(project);
  }

  close(): void {
    this.reset();
  }

  private syncPush(record: SubRecord): void {
    const wantsPush = !!record.resource.push_config?.push_endpoint && !record.resource.detached;
    if (wantsPush && !record.push) {
      record.push = new PushDispatcher(
        record.resource.name!,
        () => record.resource.push_config ?? {},
        () => record.delivery,
        () => (record.resource.ack_deadline_seconds ?? 10) * 1000,
        this.fetchFn,
      );
      record.delivery.addConsumer(record.push);
    } else if (!wantsPush && record.push) {
      record.delivery.removeConsumer(record.push);
      record.push.close();
      record.push = undefined;
    }
  }

  private settingsFor(sub: Subscription): DeliverySettings {
    const settings: DeliverySettings = {
      ackDeadlineMs: (sub.ack_deadline_seconds ?? 10) * 1000,
      retentionMs: durationMs(sub.message_retention_duration) ?? 7 * DAY,
      retainAcked: !!sub.retain_acked_messages,
      ordering: !!sub.enable_message_ordering,
      backoffMs: backoffFor(sub),
    };
    const dl = sub.dead_letter_policy;
    if (dl?.dead_letter_topic) {
      const target = dl.dead_letter_topic;
      settings.deadLetter = {
        maxAttempts: dl.max_delivery_attempts ?? 5,
        forward: (msg, attempts) => {
          if (!this.topics.has(target)) return false;
          const attributes = {
            ...msg.attributes,
            CloudPubSubDeadLetterSourceDeliveryCount: String(attempts),
            CloudPubSubDeadLetterSourceSubscription: sub.name!.split("/")[3]!,
            CloudPubSubDeadLetterSourceSubscriptionProject: projectOf(sub.name!),
            CloudPubSubDeadLetterSourceTopicPublishTime: toRfc3339(msg.publishMs),
          };
          // Deferred: forwarding may feed a subscription that is in the middle of dispatching.
          queueMicrotask(() => {
            if (this.topics.has(target)) this.append(target, msg.data, attributes, msg.orderingKey);
          });
          return true;
        },
      };
    }
    return settings;
  }
}

function validateMessage(m: PubsubMessage, orderingKey: string): void {
  const attributes = m.attributes ?? {};
  if (!m.data?.length && Object.keys(attributes).length === 0) {
    throw invalidArgument("Some messages are empty: a message needs data or at least one attribute");
  }
  if ((m.ordering_key ?? "") !== orderingKey) throw invalidArgument("All messages of a publish request must have the same ordering_key");
  let size = m.data?.length ?? 0;
  for (const [k, v] of Object.entries(attributes)) {
    if (!k || Buffer.byteLength(k) > 256) throw invalidArgument(`Invalid attribute key: ${k.slice(0, 40)}`);
    if (k.startsWith("goog")) throw invalidArgument(`Attribute keys starting with "goog" are reserved: ${k}`);
    if (Buffer.byteLength(v) > 1024) throw invalidArgument(`Attribute value of ${k} is longer than 1024 bytes`);
    size += k.length + v.length;
  }
  if (Object.keys(attributes).length > 100) throw invalidArgument("A message has more than 100 attributes");
  if (size > MAX_MESSAGE_BYTES) throw invalidArgument("A message is larger than 10 MB");
}
