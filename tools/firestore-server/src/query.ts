/**
 * The query engine: runs a `StructuredQuery` over one database snapshot.
 *
 * Steps, in Firestore's order: pick the collections (one, or all with the id for collection
 * groups), filter, normalise the ordering (explicit orders, then unordered inequality fields,
 * then `__name__`, all in the direction of the last explicit order), drop documents missing an
 * ordered field, sort, apply cursors, offset and limit, then project. `find_nearest` replaces
 * ordering with vector distance.
 */
import { invalidArgument } from "./errors";
import { inequalityFields, matchesFilter, validateFilter, type FieldReader } from "./filters";
import { compareUtf8, documentName, NAME_FIELD, parseFieldPath, type DbName } from "./paths";
import { docAt, type Database, type StoredDoc } from "./store";
import type { Micros } from "./time";
import type { Cursor, Fields, StructuredQuery, Value } from "./types";
import { compareValues, getField, setField, vectorOf } from "./values";

export interface NormalizedOrder {
  path: string;
  segments: string[] | null; // null for __name__
  descending: boolean;
}

export interface PreparedQuery {
  db: DbName;
  parentPath: string;
  collectionId: string;
  allDescendants: boolean;
  query: StructuredQuery;
  orders: NormalizedOrder[];
  /** True when membership of one document depends on others (limit, offset, cursors, nearest). */
  windowed: boolean;
}

export function prepareQuery(db: DbName, parentPath: string, query: StructuredQuery): PreparedQuery {
  const from = query.from ?? [];
  if (from.length !== 1) throw invalidArgument("A query must select exactly one collection.");
  // A kindless query (no collection id) is only valid over all descendants.
  if (!from[0]!.collection_id && !from[0]!.all_descendants) throw invalidArgument("A query needs a collection_id.");
  validateFilter(query.where);
  const orders: NormalizedOrder[] = [];
  const seen = new Set<string>();
  const canonical = (p: string): string => (p === NAME_FIELD ? p : parseFieldPath(p).join("\u0000"));
  for (const o of query.order_by ?? []) {
    const path = o.field?.field_path ?? "";
    const key = canonical(path);
    if (seen.has(key)) continue;
    seen.add(key);
    orders.push({ path, segments: path === NAME_FIELD ? null : parseFieldPath(path), descending: o.direction === "DESCENDING" });
  }
  const lastDescending = orders.length > 0 ? orders[orders.length - 1]!.descending : false;
  const inequalities = [...inequalityFields(query.where)].filter((p) => p !== NAME_FIELD && !seen.has(canonical(p)));
  inequalities.sort((a, b) => compareUtf8(parseFieldPath(a).join("."), parseFieldPath(b).join(".")));
  for (const path of inequalities) {
    seen.add(canonical(path));
    orders.push({ path, segments: parseFieldPath(path), descending: lastDescending });
  }
  if (!seen.has(NAME_FIELD)) orders.push({ path: NAME_FIELD, segments: null, descending: lastDescending });
  const windowed =
    query.limit !== undefined || !!query.offset || query.start_at !== undefined || query.end_at !== undefined || query.find_nearest !== undefined;
  return {
    db,
    parentPath,
    collectionId: from[0]!.collection_id ?? "",
    allDescendants: !!from[0]!.all_descendants,
    query,
    orders,
    windowed,
  };
}

function reader(db: DbName, doc: StoredDoc): FieldReader {
  return (fp) => (fp === NAME_FIELD ? { reference_value: documentName(db, doc.path) } : getField(doc.fields, parseFieldPath(fp)));
}

function orderValue(db: DbName, doc: StoredDoc, o: NormalizedOrder): Value | undefined {
  return o.segments === null ? { reference_value: documentName(db, doc.path) } : getField(doc.fields, o.segments);
}

/** Whether a document is in the query's scope (collection / collection group under parent). */
export function inScope(q: PreparedQuery, path: string): boolean {
  const segments = path.split("/");
  if (q.collectionId !== "" && segments[segments.length - 2] !== q.collectionId) return false;
  const collectionPath = segments.slice(0, -1).join("/");
  if (!q.allDescendants) return collectionPath === (q.parentPath === "" ? q.collectionId : `${q.parentPath}/${q.collectionId}`);
  return q.parentPath === "" || path.startsWith(q.parentPath + "/");
}

/** Filter + required order fields: whether a document belongs to the (unwindowed) result. */
export function matchesQuery(q: PreparedQuery, doc: StoredDoc): boolean {
  if (!inScope(q, doc.path)) return false;
  if (!matchesFilter(q.query.where, reader(q.db, doc))) return false;
  for (const o of q.orders) if (o.segments && getField(doc.fields, o.segments) === undefined) return false;
  return true;
}

interface Row {
  doc: StoredDoc;
  keys: Value[];
  distance?: number;
}

function compareRows(orders: NormalizedOrder[], a: Row, b: Row): number {
  for (let i = 0; i < orders.length; i++) {
    const c = compareValues(a.keys[i]!, b.keys[i]!);
    if (c !== 0) return orders[i]!.descending ? -c : c;
  }
  return 0;
}

/** Position of a row relative to a cursor over the order prefix: <0 before, 0 at, >0 after. */
function compareToCursor(orders: NormalizedOrder[], row: Row, cursor: Cursor): number {
  const values = cursor.values ?? [];
  if (values.length > orders.length) throw invalidArgument("Too many cursor values for the query's order.");
  for (let i = 0; i < values.length; i++) {
    const cv = values[i]!;
    if (orders[i]!.segments === null && cv.reference_value === undefined) {
      throw invalidArgument("A cursor value for __name__ must be a document reference.");
    }
    const c = compareValues(row.keys[i]!, cv);
    if (c !== 0) return orders[i]!.descending ? -c : c;
  }
  return 0;
}

function distanceOf(measure: string, a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let sq = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
    sq += (a[i]! - b[i]!) ** 2;
  }
  if (measure === "EUCLIDEAN") return Math.sqrt(sq);
  if (measure === "COSINE") return 1 - dot / (Math.sqrt(na) * Math.sqrt(nb));
  return dot;
}

export function project(fields: Fields, select: StructuredQuery["select"]): Fields {
  if (!select) return fields;
  const out: Fields = {};
  for (const ref of select.fields ?? []) {
    const path = ref.field_path ?? "";
    if (path === NAME_FIELD) continue;
    const segments = parseFieldPath(path);
    const v = getField(fields, segments);
    if (v !== undefined) setField(out, segments, v);
  }
  return out;
}

export interface QueryOutput {
  docs: StoredDoc[];
  /** Documents examined, for explain's execution stats. */
  scanned: number;
}

/** Runs the query at `readTime` (undefined = latest) and returns result documents (projected). */
export function executeQuery(store: Database, q: PreparedQuery, readTime?: Micros): QueryOutput {
  const query = q.query;
  const rows: Row[] = [];
  let scanned = 0;
  for (const c of store.collectionsFor(q.parentPath, q.collectionId, q.allDescendants)) {
    for (const entry of c.sortedEntries()) {
      const doc = docAt(entry, readTime);
      if (!doc) continue;
      scanned++;
      if (!matchesFilter(query.where, reader(q.db, doc))) continue;
      const keys: Value[] = [];
      let complete = true;
      for (const o of q.orders) {
        const v = orderValue(q.db, doc, o);
        if (v === undefined) {
          complete = false;
          break;
        }
        keys.push(v);
      }
      if (complete) rows.push({ doc, keys });
    }
  }

  let result: Row[];
  const nearest = query.find_nearest;
  if (nearest) {
    const target = vectorOf(nearest.query_vector ?? {});
    if (!target || target.length === 0) throw invalidArgument("find_nearest requires a vector query_vector.");
    const field = parseFieldPath(nearest.vector_field?.field_path ?? "");
    const measure = nearest.distance_measure ?? "EUCLIDEAN";
    const threshold = nearest.distance_threshold?.value;
    const withDistance: Row[] = [];
    for (const row of rows) {
      const v = getField(row.doc.fields, field);
      const vec = v ? vectorOf(v) : undefined;
      if (!vec || vec.length !== target.length) continue;
      const distance = distanceOf(measure, vec, target);
      if (threshold !== undefined && (measure === "DOT_PRODUCT" ? distance < threshold : distance > threshold)) continue;
      withDistance.push({ ...row, distance });
    }
    // Nearest first: smallest distance, except dot product where larger means closer.
    withDistance.sort((a, b) => {
      const d = measure === "DOT_PRODUCT" ? b.distance! - a.distance! : a.distance! - b.distance!;
      return d !== 0 ? d : compareRows(q.orders, a, b);
    });
    result = withDistance.slice(0, nearest.limit?.value ?? withDistance.length);
  } else {
    rows.sort((a, b) => compareRows(q.orders, a, b));
    result = rows;
    if (query.start_at) {
      const cursor = query.start_at;
      result = result.filter((r) => {
        const c = compareToCursor(q.orders, r, cursor);
        return cursor.before ? c >= 0 : c > 0;
      });
    }
    if (query.end_at) {
      const cursor = query.end_at;
      result = result.filter((r) => {
        const c = compareToCursor(q.orders, r, cursor);
        return cursor.before ? c < 0 : c <= 0;
      });
    }
    const offset = query.offset ?? 0;
    const limit = query.limit?.value;
    if (offset > 0 || limit !== undefined) result = result.slice(offset, limit === undefined ? undefined : offset + limit);
  }

  const docs = result.map((r) => {
    let fields = query.select ? project(r.doc.fields, query.select) : r.doc.fields;
    if (nearest?.distance_result_field && r.distance !== undefined) {
      fields = { ...fields };
      setField(fields, parseFieldPath(nearest.distance_result_field), { double_value: r.distance });
    }
    return fields === r.doc.fields ? r.doc : { ...r.doc, fields };
  });
  return { docs, scanned };
}
