/**
 * Transactions with pessimistic concurrency, like production and the official emulator for
 * server SDKs.
 *
 * A read-write transaction takes an exclusive lock on every document it reads or writes, so a
 * second transaction reading the same document waits until the first commits and then reads
 * the new value: contended read-modify-write loops serialise instead of failing.
 * Deadlocks are prevented with wound-wait on transaction age: an older transaction asking for a
 * lock held by a younger one aborts ("wounds") it; a younger one waits. `retry_transaction`
 * inherits the priority of the attempt it retries, so a retried transaction only gets older
 * relative to newcomers and cannot starve. Non-transactional writes never wait: they wound
 * transactions holding the documents they write (those retry and see the new data).
 * Locks are released on commit, rollback, abort, or after 60 s without activity.
 */
import { randomBytes } from "node:crypto";
import { aborted, invalidArgument } from "./errors";
import { currentTime, fromTimestamp, type Micros } from "./time";
import type { TransactionOptions } from "./types";

export const IDLE_TIMEOUT_MS = 60_000;

export interface Txn {
  id: Buffer;
  key: string;
  dbKey: string;
  readOnly: boolean;
  /** Snapshot time for read-only transactions. */
  readTime?: Micros;
  /** Lower = older = wins conflicts. */
  priority: number;
  held: Set<string>;
  state: "active" | "aborted" | "done";
  abortReason?: string;
  lastActive: number;
  waiting?: Waiter;
}

interface Waiter {
  txn: Txn;
  lockKey: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class TransactionManager {
  private readonly txns = new Map<string, Txn>();
  /** Priorities of finished transactions, so `retry_transaction` can inherit them. */
  private readonly retired = new Map<string, number>();
  private readonly locks = new Map<string, Txn>();
  private readonly queues = new Map<string, Waiter[]>();
  private nextPriority = 1;
  private counter = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(), 5_000);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const t of [...this.txns.values()]) this.abort(t, "server shutting down");
  }

  begin(dbKey: string, options: TransactionOptions | undefined): Txn {
    const readOnly = options?.read_only !== undefined;
    let priority = this.nextPriority++;
    const retry = options?.read_write?.retry_transaction;
    if (retry && retry.length > 0) {
      const key = Buffer.from(retry).toString("hex");
      const prev = this.txns.get(key)?.priority ?? this.retired.get(key);
      if (prev !== undefined) priority = prev;
      const prevTxn = this.txns.get(key);
      if (prevTxn) this.finish(prevTxn);
    }
    // A counter prefix makes ids unique even if random bytes ever collided.
    const id = Buffer.concat([Buffer.from((++this.counter).toString(16).padStart(8, "0"), "hex"), randomBytes(12)]);
    const txn: Txn = {
      id,
      key: id.toString("hex"),
      dbKey,
      readOnly,
      priority,
      held: new Set(),
      state: "active",
      lastActive: Date.now(),
    };
    if (readOnly) txn.readTime = options?.read_only?.read_time ? fromTimestamp(options.read_only.read_time) : currentTime();
    this.txns.set(txn.key, txn);
    return txn;
  }

  /** Looks up an active transaction of this database; errors like production otherwise. */
  get(dbKey: string, id: Uint8Array): Txn {
    const txn = this.txns.get(Buffer.from(id).toString("hex"));
    if (!txn || txn.dbKey !== dbKey || txn.state === "done") {
      throw invalidArgument("The referenced transaction has expired or is no longer valid.");
    }
    if (txn.state === "aborted") throw aborted(`Transaction aborted: ${txn.abortReason ?? "lock contention"}.`);
    txn.lastActive = Date.now();
    return txn;
  }

  /** Acquires exclusive locks on the given documents (in a fixed order), waiting as needed. */
  async lockAll(txn: Txn, paths: Iterable<string>): Promise<void> {
    if (txn.readOnly) return;
    const keys = [...new Set([...paths].map((p) => `${txn.dbKey}|${p}`))].sort();
    for (const key of keys) await this.acquire(txn, key);
    txn.lastActive = Date.now();
  }

  private async acquire(txn: Txn, lockKey: string): Promise<void> {
    for (;;) {
      if (txn.state !== "active") throw aborted(`Transaction aborted: ${txn.abortReason ?? "lock contention"}.`);
      const holder = this.locks.get(lockKey);
      if (!holder) {
        this.locks.set(lockKey, txn);
        txn.held.add(lockKey);
        return;
      }
      if (holder === txn) return;
      if (txn.priority < holder.priority) {
        this.abort(holder, "wounded by an older transaction");
        continue;
      }
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { txn, lockKey, resolve, reject };
        txn.waiting = waiter;
        let queue = this.queues.get(lockKey);
        if (!queue) this.queues.set(lockKey, (queue = []));
        queue.push(waiter);
      });
      txn.waiting = undefined;
    }
  }

  private release(lockKey: string): void {
    this.locks.delete(lockKey);
    const queue = this.queues.get(lockKey);
    if (!queue || queue.length === 0) return;
    // Wake the oldest waiter; it re-checks the lock when it resumes.
    let best = 0;
    for (let i = 1; i < queue.length; i++) if (queue[i]!.txn.priority < queue[best]!.txn.priority) best = i;
    const [waiter] = queue.splice(best, 1);
    if (queue.length === 0) this.queues.delete(lockKey);
    this.locks.set(lockKey, waiter!.txn);
    waiter!.txn.held.add(lockKey);
    waiter!.txn.lastActive = Date.now();
    waiter!.resolve();
  }

  private releaseAll(txn: Txn): void {
    const held = [...txn.held];
    txn.held.clear();
    for (const key of held) if (this.locks.get(key) === txn) this.release(key);
    const w = txn.waiting;
    if (w) {
      const queue = this.queues.get(w.lockKey);
      if (queue) {
        const i = queue.indexOf(w);
        if (i >= 0) queue.splice(i, 1);
        if (queue.length === 0) this.queues.delete(w.lockKey);
      }
      txn.waiting = undefined;
      w.reject(aborted(`Transaction aborted: ${txn.abortReason ?? "lock contention"}.`));
    }
  }

  abort(txn: Txn, reason: string): void {
    if (txn.state !== "active") return;
    txn.state = "aborted";
    txn.abortReason = reason;
    this.releaseAll(txn);
  }

  /** Commit or rollback: releases locks and forgets the transaction. */
  finish(txn: Txn): void {
    if (txn.state === "active") txn.state = "done";
    this.releaseAll(txn);
    this.txns.delete(txn.key);
    this.retired.set(txn.key, txn.priority);
    if (this.retired.size > 10_000) this.retired.delete(this.retired.keys().next().value!);
  }

  /** Rollback of an id that may already be gone (the SDK rolls back best-effort). */
  rollback(dbKey: string, id: Uint8Array): void {
    const txn = this.txns.get(Buffer.from(id).toString("hex"));
    if (!txn || txn.dbKey !== dbKey) throw invalidArgument("The referenced transaction has expired or is no longer valid.");
    this.finish(txn);
  }

  /** A non-transactional write wounds every transaction holding one of its documents. */
  woundHolders(dbKey: string, paths: Iterable<string>, except?: Txn): void {
    for (const p of paths) {
      const holder = this.locks.get(`${dbKey}|${p}`);
      if (holder && holder !== except) this.abort(holder, "a concurrent write changed a locked document");
    }
  }

  /** Drops every transaction of a database (used when the database is cleared). */
  abortDatabase(dbKey: string): void {
    for (const t of [...this.txns.values()]) if (t.dbKey === dbKey) this.abort(t, "database was reset");
  }

  private sweep(): void {
    const now = Date.now();
    for (const t of [...this.txns.values()]) {
      if (t.state === "active" && !t.waiting && now - t.lastActive > IDLE_TIMEOUT_MS) this.abort(t, "transaction has expired");
      else if (t.state === "aborted" && now - t.lastActive > IDLE_TIMEOUT_MS * 5) {
        this.txns.delete(t.key);
        this.retired.set(t.key, t.priority);
      }
    }
  }
}
