/**
 * The change feed: every committed document change of a database, with the document before
 * and after the commit, for the local relay that turns them into Firestore CloudEvents
 * (`onDocumentWritten` and friends).
 *
 * Each database numbers its changes with a sequence that only grows: clearing the database
 * neither emits deletions nor restarts it. A bounded ring keeps the latest changes; readers
 * long-poll for the changes after the last sequence they saw. Entries keep references to the
 * stored versions (which are never mutated) and are converted to JSON only when read, so an
 * unread feed costs next to nothing per write.
 */
import { documentName, type DbName } from "./paths";
import { documentToJson, microsToRfc3339, type JsonDocument } from "./proto-json";
import type { StoredDoc } from "./store";
import type { Micros } from "./time";
import type { DocChange } from "./writes";

export const DEFAULT_CHANGE_FEED_CAPACITY = 10_000;
/** Longest long-poll a reader may ask for. */
export const MAX_WAIT_MS = 30_000;

export interface ChangeJson {
  seq: number;
  /** Full resource name of the changed document. */
  document: string;
  before: JsonDocument | null;
  after: JsonDocument | null;
  commitTime: string;
}

export interface ChangesPage {
  changes: ChangeJson[];
  lastSeq: number;
  /** Set when changes after the reader's `after` are no longer kept (or `after` is from another run). */
  truncated?: true;
}

interface Entry {
  seq: number;
  db: DbName;
  path: string;
  before: StoredDoc | null;
  after: StoredDoc | null;
  commitTime: Micros;
}

class Ring {
  private readonly slots: (Entry | undefined)[];
  lastSeq = 0;
  private count = 0;
  readonly waiters = new Set<() => void>();

  constructor(private readonly capacity: number) {
    this.slots = new Array<Entry | undefined>(capacity);
  }

  push(entry: Omit<Entry, "seq">): void {
    const seq = ++this.lastSeq;
    this.slots[(seq - 1) % this.capacity] = { seq, ...entry };
    if (this.count < this.capacity) this.count++;
  }

  /** Sequence number of the oldest kept change (lastSeq + 1 when none is kept). */
  oldestSeq(): number {
    return this.lastSeq - this.count + 1;
  }

  since(after: number): Entry[] {
    const out: Entry[] = [];
    for (let seq = Math.max(after + 1, this.oldestSeq()); seq <= this.lastSeq; seq++) out.push(this.slots[(seq - 1) % this.capacity]!);
    return out;
  }
}

function toJson(e: Entry): ChangeJson {
  return {
    seq: e.seq,
    document: documentName(e.db, e.path),
    before: e.before ? documentToJson(e.db, e.before) : null,
    after: e.after ? documentToJson(e.db, e.after) : null,
    commitTime: microsToRfc3339(e.commitTime),
  };
}

export class ChangeFeed {
  private readonly rings = new Map<string, Ring>();

  /** @param capacity changes kept per database @default 10000 */
  constructor(private readonly capacity: number = DEFAULT_CHANGE_FEED_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`change feed capacity must be a positive integer, got ${capacity}`);
  }

  private ring(db: DbName): Ring {
    let ring = this.rings.get(db.key);
    if (!ring) this.rings.set(db.key, (ring = new Ring(this.capacity)));
    return ring;
  }

  /** Commit observer (see Engine.observeCommits). */
  readonly record = (db: DbName, changes: readonly DocChange[], commitTime: Micros): void => {
    const ring = this.ring(db);
    for (const c of changes) ring.push({ db, path: c.path, before: c.before, after: c.after, commitTime });
    for (const wake of [...ring.waiters]) wake();
  };

  head(db: DbName): number {
    return this.ring(db).lastSeq;
  }

  /**
   * The changes after `after`. When there is none yet, waits up to `waitMs` for one (or until
   * `signal` aborts). An `after` beyond the head comes from an earlier run of the server (the
   * feed lives in memory): the answer is immediate, from the oldest kept change, and truncated.
   */
  async read(db: DbName, after: number, waitMs: number, signal?: AbortSignal): Promise<ChangesPage> {
    const ring = this.ring(db);
    if (after === ring.lastSeq && waitMs > 0) await waitForChange(ring, Math.min(waitMs, MAX_WAIT_MS), signal);
    const fromAnotherRun = after > ring.lastSeq;
    const from = fromAnotherRun ? 0 : after;
    const page: ChangesPage = { changes: ring.since(from).map(toJson), lastSeq: ring.lastSeq };
    if (fromAnotherRun || from + 1 < ring.oldestSeq()) page.truncated = true;
    return page;
  }
}

function waitForChange(ring: Ring, waitMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      ring.waiters.delete(done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    ring.waiters.add(done);
    signal?.addEventListener("abort", done);
  });
}
