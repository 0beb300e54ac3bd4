import { Timestamp, type DocumentData } from "firebase-admin/firestore";
import { z } from "zod";
import { DataIntegrityError } from "./errors";
import { logger } from "./logging";

/**
 * Typed reads of stored documents. Firestore hands back whatever a document holds; each domain
 * declares the shape it writes as a zod schema (`<domain>-records.ts`) and reads through here, so
 * a document that drifted (a hand edit, an old format, a bug) is a `DataIntegrityError` naming
 * the document and the fields, not a wrong value travelling on.
 */

/** A Firestore `Timestamp` field. */
export const timestampField = z.custom<Timestamp>((value) => value instanceof Timestamp, "Must be a Firestore Timestamp");

/**
 * A string field holding JSON text of `shape`: values Firestore cannot hold (arrays of arrays)
 * are stored as text. Read the value with `decodeJsonText` after the record has been parsed.
 */
export function jsonTextField(shape: z.ZodType) {
  return z.string().refine((text) => {
    try {
      return shape.safeParse(JSON.parse(text)).success;
    } catch {
      return false;
    }
  }, "Must be JSON text of the expected shape");
}

/** The value inside JSON text already checked by `jsonTextField(shape)`. */
export function decodeJsonText<S extends z.ZodType>(text: string, shape: S): z.output<S> {
  return shape.parse(JSON.parse(text));
}

/** What a record read needs of a snapshot: a `DocumentSnapshot` or a `QueryDocumentSnapshot`. */
export type RecordSnapshot = { readonly exists: boolean; readonly ref: { readonly path: string }; data(): DocumentData | undefined };

export type RecordOptions = {
  /** What the document is, for the error and the log: `prompt`, `api key`, ... */
  kind: string;
};

/** The document parsed by `schema`, or null when it does not exist. Throws `DataIntegrityError` when malformed. */
export function readRecord<S extends z.ZodType>(snap: RecordSnapshot, schema: S, options: RecordOptions): z.output<S> | null {
  if (!snap.exists) return null;
  return parseRecord(snap.ref.path, snap.data(), schema, options);
}

/** Like `readRecord` for a document that must exist (a query result, or one checked before). */
export function requireRecord<S extends z.ZodType>(snap: RecordSnapshot, schema: S, options: RecordOptions): z.output<S> {
  return parseRecord(snap.ref.path, snap.exists ? snap.data() : undefined, schema, options);
}

/**
 * Parses stored data that `path` names (a document path, or a Redis key for values we wrote
 * there). Logs the path and the failing field paths with their issue codes, never the values.
 */
export function parseRecord<S extends z.ZodType>(path: string, data: unknown, schema: S, { kind }: RecordOptions): z.output<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ field: fieldPath(issue.path), code: issue.code }));
  const fields = [...new Set(issues.map((issue) => issue.field))];
  logger.error("data_integrity_error", { kind, path, fields, issues });
  throw new DataIntegrityError(kind, path, fields);
}

function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? "(document)" : path.map(String).join(".");
}
