/**
 * Listen (watch) targets.
 *
 * Targets are indexed by what can change them: a document target by document path, a query by
 * its collection path, a collection-group query by collection id. A commit therefore only
 * evaluates the targets its documents can affect, so many idle listeners cost nothing.
 *
 * Protocol, as the SDK's watch implementation expects: on add, `ADD`, the matching documents,
 * `CURRENT` (with a resume token), then a global `NO_CHANGE` with a read time, which makes the
 * SDK raise a snapshot. After each commit affecting a stream's targets: document changes,
 * deletes and removes, followed by a global `NO_CHANGE` at the commit time.
 */
import { documentName, lastSegment, parseDocumentName, parseName, splitDocPath, type DbName } from "./paths";
import { executeQuery, matchesQuery, prepareQuery, project, type PreparedQuery } from "./query";
import type { Database, StoredDoc } from "./store";
import { currentTime, resumeToken, toTimestamp, type Micros } from "./time";
import type { Document, Target } from "./types";

export interface ListenResponse {
  target_change?: {
    target_change_type: string;
    target_ids?: number[];
    resume_token?: Buffer;
    read_time?: ReturnType<typeof toTimestamp>;
    cause?: { code: number; message: string };
  };
  document_change?: { document: Document; target_ids?: number[]; removed_target_ids?: number[] };
  document_delete?: { document: string; removed_target_ids: number[]; read_time: ReturnType<typeof toTimestamp> };
  document_remove?: { document: string; removed_target_ids: number[]; read_time: ReturnType<typeof toTimestamp> };
  filter?: { target_id: number; count: number };
}

export interface ListenSink {
  send(response: ListenResponse): void;
}

interface TargetState {
  sink: ListenSink;
  targetId: number;
  db: DbName;
  docPaths?: Set<string>;
  query?: PreparedQuery;
  /** Documents the client currently has for this target: path -> update time. */
  current: Map<string, Micros>;
}

class DbIndex {
  readonly byDoc = new Map<string, Set<TargetState>>();
  readonly byCollection = new Map<string, Set<TargetState>>();
  readonly byGroup = new Map<string, Set<TargetState>>();
  readonly all = new Set<TargetState>();
}

function addTo<K>(map: Map<K, Set<TargetState>>, key: K, t: TargetState): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(t);
}

function removeFrom<K>(map: Map<K, Set<TargetState>>, key: K, t: TargetState): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(t);
  if (set.size === 0) map.delete(key);
}

export function toDocumentProto(db: DbName, doc: StoredDoc): Document {
  return {
    name: documentName(db, doc.path),
    fields: doc.fields,
    create_time: toTimestamp(doc.createTime),
    update_time: toTimestamp(doc.updateTime),
  };
}

export class ListenManager {
  private readonly indexes = new Map<string, DbIndex>();
  private readonly bySink = new Map<ListenSink, Map<number, TargetState>>();

  private index(dbKey: string): DbIndex {
    let idx = this.indexes.get(dbKey);
    if (!idx) this.indexes.set(dbKey, (idx = new DbIndex()));
    return idx;
  }

  private register(t: TargetState): void {
    const idx = this.index(t.db.key);
    idx.all.add(t);
    if (t.docPaths) for (const p of t.docPaths) addTo(idx.byDoc, p, t);
    if (t.query) {
      const q = t.query;
      if (q.allDescendants) addTo(idx.byGroup, q.collectionId, t);
      else addTo(idx.byCollection, q.parentPath === "" ? q.collectionId : `${q.parentPath}/${q.collectionId}`, t);
    }
    let targets = this.bySink.get(t.sink);
    if (!targets) this.bySink.set(t.sink, (targets = new Map()));
    targets.set(t.targetId, t);
  }

  private unregister(t: TargetState): void {
    const idx = this.index(t.db.key);
    idx.all.delete(t);
    if (t.docPaths) for (const p of t.docPaths) removeFrom(idx.byDoc, p, t);
    if (t.query) {
      const q = t.query;
      if (q.allDescendants) removeFrom(idx.byGroup, q.collectionId, t);
      else removeFrom(idx.byCollection, q.parentPath === "" ? q.collectionId : `${q.parentPath}/${q.collectionId}`, t);
    }
    this.bySink.get(t.sink)?.delete(t.targetId);
  }

  /** Adds a target and streams its initial state. Throws INVALID_ARGUMENT on a bad target. */
  addTarget(sink: ListenSink, db: DbName, store: Database, target: Target): void {
    const targetId = target.target_id ?? 0;
    const state: TargetState = { sink, targetId, db, current: new Map() };
    if (target.documents) {
      state.docPaths = new Set((target.documents.documents ?? []).map((n) => parseDocumentName(n).path));
    } else if (target.query) {
      const parent = parseName(target.query.parent ?? "");
      state.query = prepareQuery(db, parent.path, target.query.structured_query ?? {});
    }
    const old = this.bySink.get(sink)?.get(targetId);
    if (old) this.unregister(old);
    this.register(state);
    const readTime = currentTime();
    sink.send({ target_change: { target_change_type: "ADD", target_ids: [targetId] } });
    for (const doc of this.evaluate(state, store)) {
      state.current.set(doc.path, doc.updateTime);
      sink.send({ document_change: { document: toDocumentProto(db, doc), target_ids: [targetId] } });
    }
    // A resumed client may hold documents deleted meanwhile; the count makes it re-sync if so.
    if (target.resume_token && target.resume_token.length > 0) {
      sink.send({ filter: { target_id: targetId, count: state.current.size } });
    }
    const token = resumeToken(readTime);
    sink.send({
      target_change: { target_change_type: "CURRENT", target_ids: [targetId], resume_token: token, read_time: toTimestamp(readTime) },
    });
    sink.send({ target_change: { target_change_type: "NO_CHANGE", target_ids: [], resume_token: token, read_time: toTimestamp(readTime) } });
  }

  removeTarget(sink: ListenSink, targetId: number): void {
    const t = this.bySink.get(sink)?.get(targetId);
    if (t) this.unregister(t);
    sink.send({ target_change: { target_change_type: "REMOVE", target_ids: [targetId] } });
  }

  /** Forgets every target of a closed stream. */
  closeSink(sink: ListenSink): void {
    const targets = this.bySink.get(sink);
    if (!targets) return;
    for (const t of [...targets.values()]) this.unregister(t);
    this.bySink.delete(sink);
  }

  private evaluate(t: TargetState, store: Database): StoredDoc[] {
    if (t.docPaths) {
      const out: StoredDoc[] = [];
      for (const p of t.docPaths) {
        const d = store.get(p);
        if (d) out.push(d);
      }
      return out;
    }
    return executeQuery(store, t.query!).docs;
  }

  /** Streams the effect of a commit to the affected targets. */
  onCommit(dbKey: string, store: Database, changed: Map<string, StoredDoc | null>, commitTime: Micros): void {
    const idx = this.indexes.get(dbKey);
    if (!idx || idx.all.size === 0 || changed.size === 0) return;
    const affected = new Map<TargetState, string[]>();
    const note = (set: Set<TargetState> | undefined, path: string): void => {
      if (!set) return;
      for (const t of set) {
        let paths = affected.get(t);
        if (!paths) affected.set(t, (paths = []));
        paths.push(path);
      }
    };
    for (const path of changed.keys()) {
      const { collection } = splitDocPath(path);
      note(idx.byDoc.get(path), path);
      note(idx.byCollection.get(collection), path);
      for (const group of [idx.byGroup.get(lastSegment(collection)), idx.byGroup.get("")]) {
        if (group) note(new Set([...group].filter((t) => path.startsWith(t.query!.parentPath === "" ? "" : t.query!.parentPath + "/"))), path);
      }
    }
    this.dispatch(affected, store, changed, commitTime);
  }

  /** Re-evaluates every target of a database (after it was cleared). */
  resync(dbKey: string, store: Database, time: Micros): void {
    const idx = this.indexes.get(dbKey);
    if (!idx) return;
    const affected = new Map<TargetState, string[] | null>();
    for (const t of idx.all) affected.set(t, null);
    this.dispatch(affected, store, new Map(), time);
  }

  private dispatch(
    affected: Map<TargetState, string[] | null>,
    store: Database,
    changed: Map<string, StoredDoc | null>,
    time: Micros,
  ): void {
    const touchedSinks = new Set<ListenSink>();
    const readTime = toTimestamp(time);
    for (const [t, paths] of affected) {
      const sends: ListenResponse[] = [];
      const upsert = (doc: StoredDoc): void => {
        if (t.current.get(doc.path) === doc.updateTime) return;
        t.current.set(doc.path, doc.updateTime);
        const out = t.query?.query.select ? { ...doc, fields: project(doc.fields, t.query.query.select) } : doc;
        sends.push({ document_change: { document: toDocumentProto(t.db, out), target_ids: [t.targetId] } });
      };
      const drop = (path: string, deleted: boolean): void => {
        if (!t.current.delete(path)) return;
        const body = { document: documentName(t.db, path), removed_target_ids: [t.targetId], read_time: readTime };
        sends.push(deleted ? { document_delete: body } : { document_remove: body });
      };
      if (paths === null || t.query?.windowed) {
        // Membership depends on other documents (limit, cursors...): recompute and diff.
        const now = new Map<string, StoredDoc>();
        for (const d of this.evaluate(t, store)) now.set(d.path, d);
        for (const path of [...t.current.keys()]) if (!now.has(path)) drop(path, store.get(path) === null);
        for (const d of now.values()) upsert(d);
      } else {
        for (const path of paths) {
          const doc = changed.get(path) ?? null;
          const matches = doc !== null && (t.docPaths ? t.docPaths.has(path) : matchesQuery(t.query!, doc));
          if (matches) upsert(doc);
          else drop(path, doc === null);
        }
      }
      if (sends.length === 0) continue;
      for (const s of sends) t.sink.send(s);
      touchedSinks.add(t.sink);
    }
    const token = resumeToken(time);
    for (const sink of touchedSinks) {
      sink.send({ target_change: { target_change_type: "NO_CHANGE", target_ids: [], resume_token: token, read_time: readTime } });
    }
  }
}
