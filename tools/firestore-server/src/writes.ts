/**
 * Applying `Write`s. A commit stages every write against an overlay of the store (later writes
 * in the batch see earlier ones) and validates everything before anything is stored, so a
 * failure anywhere (precondition, size) leaves the database untouched: commits are atomic.
 */
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from "./errors";
import { documentName, parseDocumentName, parseFieldPath, type DbName } from "./paths";
import { documentSize, MAX_DOCUMENT_SIZE } from "./size";
import type { Database, StoredDoc } from "./store";
import { fromTimestamp, toTimestamp, type Micros } from "./time";
import { applyTransforms } from "./transforms";
import type { Fields, Write, WriteResult } from "./types";
import { deleteField, getField, sameFields, setField } from "./values";

/** The documents a staged batch changes: path -> new state (null = deleted). */
export type Staged = Map<string, StoredDoc | null>;

/**
 * Ids matching `__.*__` are reserved. Numeric `__id<n>__` ids exist only for entities imported
 * from Datastore and the SDKs use them as query boundaries (recursiveDelete), so reads and
 * queries accept them, but no write may create a document under any reserved id.
 */
const RESERVED_ID = /^__.*__$/;

export function writeTarget(db: DbName, w: Write): string {
  const name = w.update?.name ?? w.delete ?? w.transform?.document;
  if (!name) throw invalidArgument("A write must have an operation (update, delete or transform).");
  const parsed = parseDocumentName(name);
  if (parsed.db.key !== db.key) throw invalidArgument(`Document ${name} is not in database ${db.root}`);
  for (const segment of parsed.path.split("/")) {
    if (RESERVED_ID.test(segment)) throw invalidArgument(`Resource id "${segment}" is invalid because it is reserved.`);
  }
  return parsed.path;
}

function checkPrecondition(db: DbName, path: string, current: StoredDoc | null, w: Write): void {
  const pre = w.current_document;
  if (!pre) return;
  const name = documentName(db, path);
  if (pre.exists === true && !current) throw notFound(`No document to update: ${name}`);
  if (pre.exists === false && current) throw alreadyExists(`Document already exists: ${name}`);
  if (pre.update_time !== undefined) {
    if (!current) throw notFound(`No document to update: ${name}`);
    if (current.updateTime !== fromTimestamp(pre.update_time)) {
      throw failedPrecondition(`The update_time precondition failed for ${name}.`);
    }
  }
}

function applyUpdate(current: StoredDoc | null, w: Write): Fields {
  const incoming = w.update?.fields ?? {};
  if (!w.update_mask) return { ...incoming };
  const fields: Fields = current ? { ...current.fields } : {};
  for (const fp of w.update_mask.field_paths ?? []) {
    const segments = parseFieldPath(fp);
    const value = getField(incoming, segments);
    if (value === undefined) deleteField(fields, segments);
    else setField(fields, segments, value);
  }
  return fields;
}

export interface StagedWrite {
  path: string;
  result: WriteResult;
}

/**
 * Stages one write on top of `staged` (falling back to the store). Throws the production error
 * when a precondition or limit fails; `staged` is only modified on success.
 */
export function stageWrite(db: DbName, store: Database, staged: Staged, w: Write, commitTime: Micros): StagedWrite {
  const path = writeTarget(db, w);
  const current = staged.has(path) ? staged.get(path)! : store.get(path);
  checkPrecondition(db, path, current, w);
  if (w.delete !== undefined) {
    staged.set(path, null);
    // Production leaves update_time unset for deletes (the SDK then reports the commit time for
    // Commit and Timestamp(0, 0) for BatchWrite).
    return { path, result: {} };
  }
  let fields: Fields;
  let transforms = w.update_transforms ?? [];
  if (w.update) {
    fields = applyUpdate(current, w);
  } else {
    // A bare transform write modifies the existing document (or an empty one).
    fields = current ? { ...current.fields } : {};
    transforms = w.transform?.field_transforms ?? [];
  }
  const transformResults = applyTransforms(fields, transforms, commitTime);
  const size = documentSize(path, fields);
  if (size > MAX_DOCUMENT_SIZE) {
    throw invalidArgument(
      `Document '${documentName(db, path)}' cannot be written because its size (${size.toLocaleString("en-US")} bytes) exceeds the maximum allowed size of 1,048,576 bytes.`,
    );
  }
  // A write that changes nothing keeps the previous update time (as production reports it).
  const unchanged = current !== null && sameFields(current.fields, fields);
  const doc: StoredDoc = unchanged
    ? current
    : { path, fields, createTime: current ? current.createTime : commitTime, updateTime: commitTime };
  staged.set(path, doc);
  const result: WriteResult = { update_time: toTimestamp(doc.updateTime) };
  if (transforms.length > 0) result.transform_results = transformResults;
  return { path, result };
}

/** A document whose stored state a commit changed (null = missing). */
export interface DocChange {
  path: string;
  before: StoredDoc | null;
  after: StoredDoc | null;
}

/** Stores a staged batch; returns the documents whose stored state actually changed. */
export function applyStaged(store: Database, staged: Staged, commitTime: Micros): DocChange[] {
  const changed: DocChange[] = [];
  for (const [path, doc] of staged) {
    const before = store.get(path);
    if (before === doc || (before === null && doc === null)) continue;
    store.put(path, doc, commitTime);
    changed.push({ path, before, after: doc });
  }
  return changed;
}
