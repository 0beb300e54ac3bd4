/**
 * Query shapes: what each Firestore query of the product filters and orders on, declared next
 * to the query and registered here. The query helper (`firestore-queries.ts`) takes one with
 * every query, so it can name the query in logs and recommend the index a missing-index error
 * asks for; the index check (app/firestore-indexes.test.ts) proves each shape has its indexes
 * in firestore.indexes.json. Shapes name fields, never values.
 */

export type SortDirection = "asc" | "desc";

export type QueryShape = {
  /** Stable name in logs, e.g. `prompts.list`. */
  name: string;
  /** The last segment of the collection path (Firestore's "collection group" of an index). */
  collectionGroup: string;
  /** @default "COLLECTION" */
  scope?: "COLLECTION" | "COLLECTION_GROUP";
  /** `==` / `in` filters always present. */
  equality?: string[];
  /** `==` filters a caller may add: every combination must be indexed. */
  optionalEquality?: string[];
  /** `array-contains` / `array-contains-any` on this field, always present. */
  arrayContains?: string;
  /** At most one of these `array-contains` filters, or none. */
  optionalArrayContains?: string[];
  /** The inequality (`<`, `<=`, `>`, `>=`, `!=`) field, if any. */
  range?: string;
  /** Explicit order, `__name__` (document id) included or not: it never needs an index. */
  orderBy?: [string, SortDirection][];
  /** `findNearest` over this vector field (a vector index is always required). */
  vector?: { field: string; dimension: number };
};

export type IndexField = { fieldPath: string; order?: "ASCENDING" | "DESCENDING"; arrayConfig?: "CONTAINS"; vectorConfig?: { dimension: number; flat: Record<string, never> } };
export type CompositeIndex = { collectionGroup: string; queryScope: "COLLECTION" | "COLLECTION_GROUP"; fields: IndexField[] };
export type FieldOverride = { collectionGroup: string; fieldPath: string; indexes: { order?: string; arrayConfig?: string; queryScope: string }[] };
export type IndexFile = { indexes: CompositeIndex[]; fieldOverrides?: FieldOverride[] };

/** What one variant of a shape needs beyond what Firestore indexes automatically. */
export type IndexRequirement = { kind: "composite"; index: CompositeIndex; /** Leading fields whose order is free (equality, array-contains). */ unordered: number } | { kind: "collection-group-field"; collectionGroup: string; fieldPath: string };

const registry = new Map<string, QueryShape>();

/** Declares (and registers) a shape; one name, one shape. */
export function queryShape(shape: QueryShape): QueryShape {
  const existing = registry.get(shape.name);
  if (existing && JSON.stringify(existing) !== JSON.stringify(shape)) throw new Error(`Two query shapes are named ${shape.name}.`);
  registry.set(shape.name, shape);
  return shape;
}

export function registeredQueryShapes(): QueryShape[] {
  return [...registry.values()];
}

const DOCUMENT_ID = "__name__";
const direction = (d: SortDirection): "ASCENDING" | "DESCENDING" => (d === "asc" ? "ASCENDING" : "DESCENDING");

function subsets<T>(items: T[]): T[][] {
  return items.reduce<T[][]>((all, item) => [...all, ...all.map((s) => [...s, item])], [[]]);
}

/**
 * The indexes a shape needs, by Firestore's rules: equality and array-contains filters alone are
 * served by merging automatic single-field indexes; one order or range field alone by its
 * single-field index (per collection; collection-group queries need the field's exemption);
 * filters plus an order or range on another field, or two order fields, need a composite index
 * (equality fields, then the array-contains field, then the order). An inequality is ordered
 * first. `findNearest` always needs a vector index over its prefilter fields.
 */
export function requiredIndexes(shape: QueryShape): IndexRequirement[] {
  const queryScope = shape.scope ?? "COLLECTION";
  const out: IndexRequirement[] = [];
  const arrayChoices = shape.arrayContains ? [shape.arrayContains] : [undefined, ...(shape.optionalArrayContains ?? [])];
  for (const extra of subsets(shape.optionalEquality ?? [])) {
    for (const array of arrayChoices) {
      const equality = [...(shape.equality ?? []), ...extra];
      const prefix: IndexField[] = [...equality.map((fieldPath): IndexField => ({ fieldPath, order: "ASCENDING" })), ...(array ? [{ fieldPath: array, arrayConfig: "CONTAINS" as const }] : [])];
      if (shape.vector) {
        const vectorField: IndexField = { fieldPath: shape.vector.field, vectorConfig: { dimension: shape.vector.dimension, flat: {} } };
        out.push({ kind: "composite", index: { collectionGroup: shape.collectionGroup, queryScope, fields: [...prefix, vectorField] }, unordered: prefix.length });
        continue;
      }
      const order = (shape.orderBy ?? []).filter(([field]) => field !== DOCUMENT_ID);
      const sort: [string, SortDirection][] = shape.range && order[0]?.[0] !== shape.range ? [[shape.range, "asc"], ...order.filter(([f]) => f !== shape.range)] : order;
      const sortFields = sort.map(([fieldPath, d]): IndexField => ({ fieldPath, order: direction(d) }));
      if (sortFields.length > 1 || (sortFields.length === 1 && prefix.length > 0)) {
        out.push({ kind: "composite", index: { collectionGroup: shape.collectionGroup, queryScope, fields: [...prefix, ...sortFields] }, unordered: prefix.length });
      } else if (queryScope === "COLLECTION_GROUP") {
        for (const field of [...prefix, ...sortFields]) out.push({ kind: "collection-group-field", collectionGroup: shape.collectionGroup, fieldPath: field.fieldPath });
      }
    }
  }
  return dedupe(out);
}

function dedupe(requirements: IndexRequirement[]): IndexRequirement[] {
  return [...new Map(requirements.map((r) => [JSON.stringify(r), r])).values()];
}

const key = (f: IndexField): string => `${f.fieldPath}:${f.order ?? f.arrayConfig ?? `vector${f.vectorConfig?.dimension}`}`;

/**
 * Whether a declared index serves a required one: the same collection group and scope, the same
 * equality/array-contains fields (the first `unordered` fields) in any order, then the same
 * order fields and directions or the vector field with the same dimension. A trailing
 * `__name__` in the declared index is what Firestore adds implicitly, so it is ignored.
 */
export function indexServes(declared: CompositeIndex, required: CompositeIndex, unordered: number): boolean {
  if (declared.collectionGroup !== required.collectionGroup || declared.queryScope !== required.queryScope) return false;
  const fields = declared.fields.filter((f, i) => !(f.fieldPath === DOCUMENT_ID && i === declared.fields.length - 1));
  if (fields.length !== required.fields.length) return false;
  const setOf = (list: IndexField[]): string => list.map((f) => (f.arrayConfig ? key(f) : f.fieldPath)).sort().join(",");
  if (setOf(fields.slice(0, unordered)) !== setOf(required.fields.slice(0, unordered))) return false;
  return fields.slice(unordered).every((f, i) => {
    const want = required.fields[unordered + i];
    return want !== undefined && key(f) === key(want);
  });
}
