/**
 * Snapshots: a subscription's unacked messages at creation plus everything published to its
 * topic afterwards, so a seek to it restores exactly that backlog. Expiry follows production:
 * seven days after the oldest unacked message was published (or after creation).
 */
import type { Broker } from "./broker";
import type { StoredMessage } from "./delivery";
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from "./errors";
import { DELETED_TOPIC, parseName } from "./names";
import { DAY, toTimestamp } from "./time";
import type { Labels, Snapshot } from "./types";

type SnapshotRecord = { name: string; topic: string; expireMs: number; labels: Labels; messages: StoredMessage[] };

export class Snapshots {
  private readonly byName = new Map<string, SnapshotRecord>();

  constructor(private readonly broker: Broker) {}

  create(name: string | undefined, subscription: string | undefined, labels: Labels | undefined): Snapshot {
    parseName(name, "snapshots");
    const sub = this.broker.requireSub(subscription);
    if (this.byName.has(name!)) throw alreadyExists(`Snapshot already exists (resource=${name})`);
    if (sub.resource.topic === DELETED_TOPIC) throw failedPrecondition("The subscription's topic has been deleted");
    const messages = sub.delivery.unacked();
    const oldest = messages.reduce((min, m) => Math.min(min, m.publishMs), this.broker.now());
    const record: SnapshotRecord = { name: name!, topic: sub.resource.topic!, expireMs: oldest + 7 * DAY, labels: labels ?? {}, messages };
    this.byName.set(record.name, record);
    return view(record);
  }

  get(name: string | undefined): Snapshot {
    return view(this.require(name));
  }

  update(snapshot: Snapshot | undefined, paths: string[]): Snapshot {
    const record = this.require(snapshot?.name);
    for (const p of paths) {
      if (p === "labels") record.labels = snapshot!.labels ?? {};
      else if (p !== "expire_time") throw invalidArgument(`Invalid update_mask path: ${p}`);
    }
    return view(record);
  }

  delete(name: string | undefined): void {
    this.require(name);
    this.byName.delete(name!);
  }

  list(project: string): Snapshot[] {
    return [...this.live()].filter((s) => s.name.split("/")[1] === project).map(view);
  }

  namesForTopic(topic: string): string[] {
    return [...this.live()].filter((s) => s.topic === topic).map((s) => s.name);
  }

  /** Seeks `subscription` to the snapshot; the topics must match, as in production. */
  seek(subscription: string | undefined, snapshot: string | undefined): void {
    const sub = this.broker.pullable(subscription);
    const record = this.require(snapshot);
    if (record.topic !== sub.resource.topic) throw failedPrecondition("The snapshot's topic is not the subscription's topic");
    sub.delivery.seekToSnapshot(record.messages, (m) => sub.filter(m.attributes));
  }

  published(topic: string, msg: StoredMessage): void {
    for (const s of this.byName.values()) if (s.topic === topic) s.messages.push(msg);
  }

  topicDeleted(topic: string): void {
    for (const s of this.byName.values()) if (s.topic === topic) s.topic = DELETED_TOPIC;
  }

  clear(): void {
    this.byName.clear();
  }

  clearProject(project: string): void {
    for (const name of [...this.byName.keys()]) if (name.split("/")[1] === project) this.byName.delete(name);
  }

  private *live(): Iterable<SnapshotRecord> {
    const now = this.broker.now();
    for (const [name, s] of this.byName) {
      if (s.expireMs <= now) this.byName.delete(name);
      else yield s;
    }
  }

  private require(name: string | undefined): SnapshotRecord {
    parseName(name, "snapshots");
    const record = this.byName.get(name!);
    if (!record || record.expireMs <= this.broker.now()) throw notFound(`Snapshot does not exist (resource=${name})`);
    return record;
  }
}

function view(s: SnapshotRecord): Snapshot {
  return { name: s.name, topic: s.topic, expire_time: toTimestamp(s.expireMs), labels: s.labels };
}
