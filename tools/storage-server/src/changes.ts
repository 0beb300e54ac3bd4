/**
 * Change feed for the local event relay: a bounded ring of object changes with sequence numbers
 * and long-polling readers. `GET /emulator/v1/changes?after=<seq>&waitMs=<ms>`.
 */
import type { Json } from "./resource";
import type { ChangeKind } from "./types";

export type Change = { seq: number; kind: ChangeKind; bucket: string; object: Json };

export type ChangesPage = { changes: Change[]; lastSeq: number; truncated?: true };

type Waiter = { after: number; resolve: (page: ChangesPage) => void; timer: NodeJS.Timeout };

export const MAX_WAIT_MS = 30_000;

export class ChangeFeed {
  private readonly ring: Change[] = [];
  private seq = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly listeners: Array<(change: Change) => void> = [];

  constructor(private readonly capacity = 10_000) {}

  /** Called with every change as it is recorded (bucket notifications). */
  subscribe(listener: (change: Change) => void): void {
    this.listeners.push(listener);
  }

  emit(kind: ChangeKind, bucket: string, object: Json): void {
    const change = { seq: ++this.seq, kind, bucket, object };
    this.ring.push(change);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const listener of this.listeners) listener(change);
    for (const w of [...this.waiters]) {
      this.waiters.delete(w);
      clearTimeout(w.timer);
      w.resolve(this.page(w.after));
    }
  }

  page(after: number): ChangesPage {
    const oldest = this.ring[0]?.seq ?? this.seq + 1;
    const changes = this.ring.filter((c) => c.seq > after);
    const page: ChangesPage = { changes, lastSeq: changes.at(-1)?.seq ?? Math.max(after, 0) };
    // Changes after `after` were dropped from the ring (or the sequence restarted after a reset).
    if (after + 1 < oldest || after > this.seq) page.truncated = true;
    if (after > this.seq) page.lastSeq = this.seq;
    return page;
  }

  /** Resolves as soon as a change with seq > after exists, or after waitMs with none. */
  wait(after: number, waitMs: number): Promise<ChangesPage> {
    const now = this.page(after);
    if (now.changes.length > 0 || waitMs <= 0 || now.truncated) return Promise.resolve(now);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        after,
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          resolve(this.page(after));
        }, Math.min(waitMs, MAX_WAIT_MS)),
      };
      this.waiters.add(waiter);
    });
  }

  /** Answers every pending long poll now (used on close, so no timer outlives the server). */
  close(): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(this.page(w.after));
    }
    this.waiters.clear();
  }

  /** A reset keeps the sequence increasing so relays never see a seq go backwards. */
  clear(): void {
    this.ring.length = 0;
  }
}
