/**
 * One subscription's backlog and leases: which message goes to which consumer (a streaming-pull
 * stream, a waiting unary Pull, the push dispatcher), ack deadlines, nacks with retry-policy
 * backoff, dead-lettering after the last attempt, per-key ordering, retention and seek.
 * One timer per subscription wakes it at the next deadline or backoff expiry.
 */
import type { Labels, ReceivedMessage } from "./types";
import { toTimestamp } from "./time";

export type StoredMessage = {
  id: string;
  seq: number;
  data: Buffer;
  attributes: Labels;
  orderingKey: string;
  publishMs: number;
  size: number;
};

export type DeliverySettings = {
  ackDeadlineMs: number;
  retentionMs: number;
  retainAcked: boolean;
  ordering: boolean;
  /** Backoff before attempt n+1 once attempt n failed (n >= 1). */
  backoffMs(attempts: number): number;
  deadLetter?: { maxAttempts: number; forward(message: StoredMessage, attempts: number): boolean };
};

/** Something messages are handed to. `outstanding` is maintained by the subscription. */
export type Consumer = {
  outstanding: number;
  closed: boolean;
  /** How many more messages it accepts right now. */
  room(): number;
  /** Ack deadline for messages it receives (a stream may set its own). */
  ackDeadlineMs?: number;
  deliver(messages: ReceivedMessage[]): void;
};

type Entry = { msg: StoredMessage; acked: boolean; availableAt: number; attempts: number; lease?: Lease };
type Lease = { ackId: string; entry: Entry; deadline: number; consumer: Consumer };

/** Largest batch handed over at once, so a response stays under the gRPC message limit. */
const MAX_BATCH_BYTES = 10 * 1024 * 1024;

let ackCounter = 0;
const ackPrefix = Math.random().toString(36).slice(2, 8);

export class Delivery {
  private entries: Entry[] = [];
  private readonly leases = new Map<string, Lease>();
  private readonly consumers = new Set<Consumer>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closed = false;

  constructor(
    public settings: DeliverySettings,
    private readonly now: () => number,
  ) {}

  add(msg: StoredMessage): void {
    this.entries.push({ msg, acked: false, availableAt: 0, attempts: 0 });
    this.dispatch();
  }

  addConsumer(c: Consumer): void {
    this.consumers.add(c);
    this.dispatch();
  }

  removeConsumer(c: Consumer): void {
    c.closed = true;
    this.consumers.delete(c);
  }

  /** Acks; returns the ack ids that are not (or no longer) valid. */
  ack(ackIds: string[]): string[] {
    const invalid: string[] = [];
    for (const id of ackIds) {
      const lease = this.leases.get(id);
      if (!lease) {
        invalid.push(id);
        continue;
      }
      this.endLease(lease);
      lease.entry.acked = true;
    }
    this.dispatch();
    return invalid;
  }

  /** Extends leases, or nacks them with 0; returns the ack ids that are not valid. */
  modifyAckDeadline(ackIds: string[], seconds: number): string[] {
    const invalid: string[] = [];
    for (const id of ackIds) {
      const lease = this.leases.get(id);
      if (!lease) invalid.push(id);
      else if (seconds === 0) this.fail(lease);
      else lease.deadline = this.now() + seconds * 1000;
    }
    this.dispatch();
    return invalid;
  }

  /** Unacked messages, for a snapshot. */
  unacked(): StoredMessage[] {
    return this.entries.filter((e) => !e.acked).map((e) => e.msg);
  }

  /** Seek to a time: earlier messages become acked, later retained ones unacked. */
  seekToTime(ms: number): void {
    this.dropAllLeases();
    for (const e of this.entries) {
      e.acked = e.msg.publishMs < ms;
      e.availableAt = 0;
    }
    this.dispatch();
  }

  /** Seek to a snapshot: exactly its messages are unacked; others are acked (kept if retained). */
  seekToSnapshot(messages: StoredMessage[], accept: (m: StoredMessage) => boolean): void {
    this.dropAllLeases();
    const ids = new Set(messages.map((m) => m.id));
    const kept = this.settings.retainAcked ? this.entries.filter((e) => !ids.has(e.msg.id)) : [];
    for (const e of kept) e.acked = true;
    const restored = messages.filter(accept).map((msg): Entry => ({ msg, acked: false, availableAt: 0, attempts: 0 }));
    this.entries = [...kept, ...restored].sort((a, b) => a.msg.seq - b.msg.seq);
    this.dispatch();
  }

  /** Drops every message and lease (detach, delete). */
  purge(): void {
    this.dropAllLeases();
    this.entries = [];
  }

  close(): void {
    this.closed = true;
    this.purge();
    this.consumers.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Hands every deliverable message to consumers with room, then re-arms the timer. */
  dispatch(): void {
    if (this.closed) return;
    const now = this.now();
    this.expire(now);
    const ready = [...this.consumers].filter((c) => !c.closed && c.room() > 0);
    if (ready.length > 0) this.assign(ready, now);
    this.arm(now);
  }

  private expire(now: number): void {
    for (const lease of [...this.leases.values()]) if (lease.deadline <= now && this.leases.has(lease.ackId)) this.fail(lease);
    const horizon = now - this.settings.retentionMs;
    if (this.entries.some((e) => (e.acked && !this.settings.retainAcked) || (e.msg.publishMs < horizon && !e.lease))) {
      this.entries = this.entries.filter((e) => !((e.acked && !this.settings.retainAcked) || (e.msg.publishMs < horizon && !e.lease)));
    }
  }

  private assign(ready: Consumer[], now: number): void {
    const { ordering } = this.settings;
    const blocked = new Set<string>();
    if (ordering) for (const l of this.leases.values()) if (l.entry.msg.orderingKey) blocked.add(l.entry.msg.orderingKey);
    const owner = new Map<string, Consumer>();
    const batches = new Map<Consumer, { entries: Entry[]; bytes: number; room: number }>();
    for (const c of ready) batches.set(c, { entries: [], bytes: 0, room: c.room() });
    let turn = 0;
    for (const e of this.entries) {
      if (e.acked || e.lease) continue;
      const key = ordering ? e.msg.orderingKey : "";
      if (key && blocked.has(key)) continue;
      if (e.availableAt > now) {
        if (key) blocked.add(key);
        continue;
      }
      const target = key && owner.has(key) ? owner.get(key)! : this.pick(ready, batches, turn++, e.msg.size);
      const batch = target && batches.get(target);
      if (!target || !batch || !fits(batch, e.msg.size)) {
        if (key) blocked.add(key);
        continue;
      }
      if (key) owner.set(key, target);
      batch.entries.push(e);
      batch.bytes += e.msg.size;
    }
    for (const [consumer, batch] of batches) {
      if (batch.entries.length === 0) continue;
      const deadline = now + (consumer.ackDeadlineMs ?? this.settings.ackDeadlineMs);
      const out = batch.entries.map((entry) => this.lease(entry, consumer, deadline));
      consumer.deliver(out);
    }
  }

  private pick(ready: Consumer[], batches: Map<Consumer, { entries: Entry[]; bytes: number; room: number }>, turn: number, size: number): Consumer | undefined {
    for (let i = 0; i < ready.length; i++) {
      const c = ready[(turn + i) % ready.length]!;
      if (fits(batches.get(c)!, size)) return c;
    }
    return undefined;
  }

  private lease(entry: Entry, consumer: Consumer, deadline: number): ReceivedMessage {
    const ackId = `${ackPrefix}-${++ackCounter}`;
    const lease: Lease = { ackId, entry, deadline, consumer };
    entry.lease = lease;
    entry.attempts++;
    consumer.outstanding++;
    this.leases.set(ackId, lease);
    const m = entry.msg;
    const received: ReceivedMessage = {
      ack_id: ackId,
      message: { data: m.data, attributes: m.attributes, message_id: m.id, publish_time: toTimestamp(m.publishMs), ordering_key: m.orderingKey },
    };
    if (this.settings.deadLetter) received.delivery_attempt = entry.attempts;
    return received;
  }

  private endLease(lease: Lease): void {
    this.leases.delete(lease.ackId);
    lease.entry.lease = undefined;
    lease.consumer.outstanding--;
  }

  /** A nack or an expired deadline: dead-letter after the last attempt, else back off. */
  private fail(lease: Lease): void {
    const entry = lease.entry;
    this.endLease(lease);
    const dl = this.settings.deadLetter;
    if (dl && entry.attempts >= dl.maxAttempts && dl.forward(entry.msg, entry.attempts)) {
      entry.acked = true;
      return;
    }
    entry.availableAt = this.now() + this.settings.backoffMs(entry.attempts);
    const key = this.settings.ordering ? entry.msg.orderingKey : "";
    if (!key) return;
    // Ordered delivery: what followed the failed message is redelivered after it.
    for (const later of this.entries) {
      if (later.msg.seq > entry.msg.seq && later.msg.orderingKey === key && later.lease) {
        this.endLease(later.lease);
        later.attempts = Math.max(0, later.attempts - 1);
      }
    }
  }

  private dropAllLeases(): void {
    for (const lease of [...this.leases.values()]) this.endLease(lease);
  }

  private arm(now: number): void {
    let next = Infinity;
    for (const l of this.leases.values()) next = Math.min(next, l.deadline);
    for (const e of this.entries) if (!e.acked && !e.lease && e.availableAt > now) next = Math.min(next, e.availableAt);
    if (next === this.timerAt && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = next;
    if (next === Infinity) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.dispatch();
    }, Math.max(1, next - now));
    this.timer.unref();
  }
}

function fits(batch: { entries: unknown[]; bytes: number; room: number }, size: number): boolean {
  if (batch.entries.length >= batch.room) return false;
  return batch.entries.length === 0 || batch.bytes + size <= MAX_BATCH_BYTES;
}
