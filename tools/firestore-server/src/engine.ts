/**
 * The Firestore engine behind the RPCs: one `Database` per project/database (isolated from each
 * other), the transaction manager and the listen index. Methods take decoded requests' parts
 * and return plain response objects; the gRPC layer (service.ts) only adapts calls.
 */
import { aborted, invalidArgument, RpcError } from "./errors";
import { ListenManager, toDocumentProto } from "./listen";
import { parseDatabase, parseDocumentName, type DbName } from "./paths";
import { executeQuery, prepareQuery, project, type PreparedQuery } from "./query";
import { Database, type StoredDoc } from "./store";
import { currentTime, fromTimestamp, nextTime, toTimestamp, type Micros } from "./time";
import { TransactionManager, type Txn } from "./transactions";
import type { DocumentMask, ReadConsistency, Status, Write, WriteResult } from "./types";
import { applyStaged, stageWrite, writeTarget, type DocChange, type Staged } from "./writes";

/** Called after each commit (or BatchWrite) with the documents it changed, in commit order. */
export type CommitObserver = (db: DbName, changes: readonly DocChange[], commitTime: Micros) => void;

/** How a read observes the database: a snapshot time, or the latest state under a transaction's locks. */
export interface ReadContext {
  db: DbName;
  store: Database;
  /** Snapshot time; undefined = latest committed state. */
  readTime?: Micros;
  txn?: Txn;
  /** Set when the read started a transaction: its id goes into the first response. */
  newTransaction?: Buffer;
}

export class Engine {
  private readonly databases = new Map<string, Database>();
  readonly txns = new TransactionManager();
  readonly listen = new ListenManager();
  private readonly observers = new Set<CommitObserver>();

  /** Registers a commit observer (the change feed); returns a function that removes it. */
  observeCommits(observer: CommitObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  private committed(db: DbName, store: Database, changes: DocChange[], commitTime: Micros): void {
    this.listen.onCommit(db.key, store, new Map(changes.map((c) => [c.path, c.after])), commitTime);
    if (changes.length === 0) return;
    for (const observer of this.observers) observer(db, changes, commitTime);
  }

  store(db: DbName): Database {
    let s = this.databases.get(db.key);
    if (!s) this.databases.set(db.key, (s = new Database()));
    return s;
  }

  /** Removes every document of a database (the emulator's DELETE .../documents endpoint). */
  clear(project: string, database: string): void {
    const db = parseDatabase(`projects/${project}/databases/${database}`);
    this.databases.delete(db.key);
    this.txns.abortDatabase(db.key);
    this.listen.resync(db.key, this.store(db), nextTime());
  }

  close(): void {
    this.txns.close();
  }

  /** Resolves the consistency selector of a read request. */
  readContext(db: DbName, sel: ReadConsistency): ReadContext {
    const store = this.store(db);
    if (sel.transaction && sel.transaction.length > 0) {
      const txn = this.txns.get(db.key, sel.transaction);
      return { db, store, txn, readTime: txn.readOnly ? txn.readTime : undefined };
    }
    if (sel.new_transaction) {
      const txn = this.txns.begin(db.key, sel.new_transaction);
      return { db, store, txn, readTime: txn.readOnly ? txn.readTime : undefined, newTransaction: txn.id };
    }
    if (sel.read_time) return { db, store, readTime: fromTimestamp(sel.read_time) };
    return { db, store };
  }

  /** The read time reported to the client. */
  reportedReadTime(ctx: ReadContext): Micros {
    return ctx.readTime ?? currentTime();
  }

  /** Reads documents, locking them first inside a read-write transaction. */
  async getDocuments(ctx: ReadContext, paths: string[]): Promise<(StoredDoc | null)[]> {
    if (ctx.txn && !ctx.txn.readOnly) await this.txns.lockAll(ctx.txn, paths);
    return paths.map((p) => ctx.store.get(p, ctx.readTime));
  }

  /** Runs a query; inside a read-write transaction the result documents are locked. */
  async runQuery(ctx: ReadContext, q: PreparedQuery): Promise<{ docs: StoredDoc[]; scanned: number }> {
    let out = executeQuery(ctx.store, q, ctx.readTime);
    if (ctx.txn && !ctx.txn.readOnly) {
      // Lock what we saw, then re-read: results may have changed while we waited for locks.
      for (let i = 0; i < 3; i++) {
        const paths = out.docs.map((d) => d.path);
        const before = ctx.txn.held.size;
        await this.txns.lockAll(ctx.txn, paths);
        out = executeQuery(ctx.store, q, ctx.readTime);
        if (ctx.txn.held.size === before) break;
      }
    }
    return out;
  }

  /** Atomic commit, optionally finishing a transaction. */
  async commit(database: string, writes: Write[], transaction?: Uint8Array): Promise<{ commit_time: ReturnType<typeof toTimestamp>; write_results: WriteResult[] }> {
    const db = parseDatabase(database);
    const store = this.store(db);
    const txn = transaction && transaction.length > 0 ? this.txns.get(db.key, transaction) : undefined;
    const paths = writes.map((w) => writeTarget(db, w));
    if (txn) {
      if (txn.readOnly) throw invalidArgument("Cannot commit writes in a read-only transaction.");
      try {
        await this.txns.lockAll(txn, paths);
      } catch (err) {
        this.txns.finish(txn);
        throw err;
      }
      if (txn.state !== "active") {
        this.txns.finish(txn);
        throw aborted("Transaction aborted: lock contention.");
      }
    } else {
      this.txns.woundHolders(db.key, paths);
    }
    const commitTime = nextTime();
    const staged: Staged = new Map();
    let results: WriteResult[];
    try {
      results = writes.map((w) => stageWrite(db, store, staged, w, commitTime).result);
    } finally {
      if (txn) this.txns.finish(txn);
    }
    this.committed(db, store, applyStaged(store, staged, commitTime), commitTime);
    return { commit_time: toTimestamp(commitTime), write_results: results };
  }

  /** Non-atomic writes with a status per write (BulkWriter, recursiveDelete). */
  batchWrite(database: string, writes: Write[]): { write_results: WriteResult[]; status: Status[] } {
    const db = parseDatabase(database);
    const store = this.store(db);
    const commitTime = nextTime();
    const write_results: WriteResult[] = [];
    const status: Status[] = [];
    const allChanges: DocChange[] = [];
    for (const w of writes) {
      try {
        const staged: Staged = new Map();
        const path = writeTarget(db, w);
        this.txns.woundHolders(db.key, [path]);
        const { result } = stageWrite(db, store, staged, w, commitTime);
        allChanges.push(...applyStaged(store, staged, commitTime));
        write_results.push(result);
        status.push({ code: 0, message: "" });
      } catch (err) {
        if (!(err instanceof RpcError)) throw err;
        write_results.push({});
        status.push({ code: err.code, message: err.message });
      }
    }
    this.committed(db, store, allChanges, commitTime);
    return { write_results, status };
  }

  prepare(db: DbName, parentPath: string, q: Parameters<typeof prepareQuery>[2]): PreparedQuery {
    return prepareQuery(db, parentPath, q);
  }

  documentProto(db: DbName, doc: StoredDoc, mask?: DocumentMask): ReturnType<typeof toDocumentProto> {
    if (!mask) return toDocumentProto(db, doc);
    const select = { fields: (mask.field_paths ?? []).map((field_path) => ({ field_path })) };
    return toDocumentProto(db, { ...doc, fields: project(doc.fields, select) });
  }

  parseDocs(db: DbName, names: string[]): string[] {
    return names.map((n) => {
      const p = parseDocumentName(n);
      if (p.db.key !== db.key) throw invalidArgument(`Document ${n} is not in database ${db.root}`);
      return p.path;
    });
  }
}
