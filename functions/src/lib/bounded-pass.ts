import { FieldPath, Timestamp, type DocumentReference, type Firestore, type QueryDocumentSnapshot, type WriteBatch } from "firebase-admin/firestore";
import { queryShape, runQuery, type QueryShape } from "./firestore-queries";

/**
 * Long deletions and rewrites (retention purges, erasure, workspace deletion) as bounded
 * batches with a resumable cursor. Each batch commits its changes together with the job's
 * progress (cursor and count), so a crash at any point resumes exactly where the last commit
 * left off: nothing is missed, nothing is counted twice. One page is held at a time, so memory
 * stays flat whatever the size of the job.
 */

/** Where a pass stands: the last document handled, by its order key and path. */
export type PassCursor = { key: string | number; path: string };

export type PassProgress = { cursor: PassCursor | null; processed: number };

export type BoundedPass = {
  /** At most `limit` documents after `cursor`, in the pass's order (order key, then path). */
  page(cursor: PassCursor | null, limit: number): Promise<QueryDocumentSnapshot[]>;
  /** The cursor a document leaves behind. */
  cursorOf(doc: QueryDocumentSnapshot): PassCursor;
  /** Writes the change for one document (delete + tombstone, or a rewrite); false when it is skipped. */
  apply(batch: WriteBatch, doc: QueryDocumentSnapshot): boolean | Promise<boolean>;
  /** Writes the job's progress into the same batch. */
  saveProgress(batch: WriteBatch, progress: PassProgress, done: boolean): void;
};

/** What a domain provides for a pass; the caller adds where progress is saved. */
export type PassSource = Omit<BoundedPass, "saveProgress">;

export type PassOptions = {
  /** Documents per batch. Each costs its writes (a delete and its tombstone: 2), plus one for progress. @default 200 */
  batchSize?: number;
  /** Documents handled before the pass yields (the caller publishes the next step). @default 5000 */
  maxDocs?: number;
};

/** Firestore's limit of writes in one batch. */
export const MAX_BATCH_WRITES = 500;

/** Runs a pass from `start` until done or `maxDocs`; returns where it stands. */
export async function runBoundedPass(db: Pick<Firestore, "batch">, pass: BoundedPass, start: PassProgress, options: PassOptions = {}): Promise<PassProgress & { done: boolean }> {
  const batchSize = Math.min(options.batchSize ?? 200, Math.floor((MAX_BATCH_WRITES - 1) / 2));
  const maxDocs = options.maxDocs ?? 5000;
  let { cursor, processed } = start;
  let handled = 0;
  for (;;) {
    const docs = await pass.page(cursor, batchSize);
    const done = docs.length < batchSize;
    const batch = db.batch();
    let applied = 0;
    for (const doc of docs) if (await pass.apply(batch, doc)) applied++;
    const last = docs[docs.length - 1];
    if (last) cursor = pass.cursorOf(last);
    processed += applied;
    handled += docs.length;
    const finished = done || handled >= maxDocs;
    pass.saveProgress(batch, { cursor, processed }, done);
    await batch.commit();
    if (finished) return { cursor, processed, done };
  }
}

/** Pages of a subtree walk: document ids in order, no fields. */
const TREE_PAGE = queryShape({ name: "lib.deleteTree", collectionGroup: "*", orderBy: [["__name__", "asc"]] });

/**
 * Deletes every document under `ref` (each page's subcollections first), a bounded page at a
 * time; `onDelete` writes the delete and its tombstone. Restartable: a rerun finds what is left.
 */
export async function deleteTree(db: Pick<Firestore, "batch">, ref: Pick<DocumentReference, "listCollections">, onDelete: (batch: WriteBatch, ref: DocumentReference) => void, batchSize = 200): Promise<number> {
  let deleted = 0;
  for (const collection of await ref.listCollections()) {
    for (;;) {
      const page = await runQuery(TREE_PAGE, collection.orderBy(FieldPath.documentId()).select().limit(batchSize));
      if (page.empty) break;
      for (const doc of page.docs) deleted += await deleteTree(db, doc.ref, onDelete, batchSize);
      const batch = db.batch();
      for (const doc of page.docs) onDelete(batch, doc.ref);
      await batch.commit();
      deleted += page.size;
    }
  }
  return deleted;
}

type QueryDb = Pick<Firestore, "collectionGroup" | "collection" | "doc">;

/** A collection (top level) or a collection group (`group: true`), by its id. */
export type CollectionSpec = { collection: string; group: boolean };

const source = (db: QueryDb, spec: CollectionSpec) => (spec.group ? db.collectionGroup(spec.collection) : db.collection(spec.collection));

/**
 * Documents whose `field` (a Timestamp or a string such as a day) is before `before`, oldest first,
 * deleted by `onDelete` (the domain's delete with its tombstone); `skip` (reading `fields`) leaves one in place.
 */
export function expiredDocuments(
  db: QueryDb,
  spec: CollectionSpec & { field: string; before: Timestamp | string; shape: QueryShape; equals?: [string, string | boolean]; fields?: string[]; skip?: (doc: QueryDocumentSnapshot) => boolean },
  onDelete: (batch: WriteBatch, ref: DocumentReference) => void,
): PassSource {
  const isTime = spec.before instanceof Timestamp;
  return {
    async page(cursor, limit) {
      const base = spec.equals ? source(db, spec).where(spec.equals[0], "==", spec.equals[1]) : source(db, spec);
      let query = base.where(spec.field, "<", spec.before).orderBy(spec.field).orderBy(FieldPath.documentId());
      query = query.select(spec.field, ...(spec.fields ?? []));
      if (cursor) query = query.startAfter(isTime ? Timestamp.fromMillis(Number(cursor.key)) : String(cursor.key), db.doc(cursor.path));
      return (await runQuery(spec.shape, query.limit(limit))).docs;
    },
    cursorOf(doc) {
      const value: unknown = doc.get(spec.field);
      return { key: value instanceof Timestamp ? value.toMillis() : String(value), path: doc.ref.path };
    },
    apply(batch, doc) {
      if (spec.skip?.(doc)) return false;
      onDelete(batch, doc.ref);
      return true;
    },
  };
}

/** A page of the documents whose `field` equals `value`, by path (export and erasure look-ups). */
export async function documentsWhere(db: QueryDb, spec: CollectionSpec & { field: string; shape: QueryShape }, value: string, after: string | null, limit: number): Promise<QueryDocumentSnapshot[]> {
  let query = source(db, spec).where(spec.field, "==", value).orderBy(FieldPath.documentId());
  if (after) query = query.startAfter(spec.group ? db.doc(after) : db.doc(after).id);
  return (await runQuery(spec.shape, query.limit(limit))).docs;
}

/** Where a person's records are, per domain: documents whose `field` holds their uid, and what erasure does to them. */
export type SubjectRecordSpec = CollectionSpec & {
  field: string;
  shape: QueryShape;
  /** `delete`: the record is the person's own; `anonymise`: it belongs to the workspace, only the person's identifiers go. */
  rule: "delete" | "anonymise";
};
