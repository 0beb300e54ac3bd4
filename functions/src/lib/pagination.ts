import { ValidationError } from "./errors";

/** One page of a list and the opaque cursor of the next, or null at the end. */
export type Page<T> = { items: T[]; nextCursor: string | null };

type CursorValue = string | number | boolean | null;

/**
 * Firestore's Timestamp range in milliseconds (0001-01-01 to 9999-12-31T23:59:59.999Z). Every
 * number a cursor carries (a time, a version or sequence number) lies inside it.
 */
const MIN_MILLIS = -62_135_596_800_000;
const MAX_MILLIS = 253_402_300_799_999;
const MAX_ID_BYTES = 1500;

/** Cursors are the last item's ordering values, base64url-encoded JSON: opaque to clients. */
export function encodeCursor(values: CursorValue[]): string {
  return Buffer.from(JSON.stringify(values), "utf8").toString("base64url");
}

/**
 * The values of a cursor this API issued, or a `ValidationError`. Cursors come back from clients,
 * so every part is checked against what Firestore accepts as a query boundary: forged values
 * (a time out of range, an id with `/`, `..` or empty) would otherwise fail inside the query as
 * an internal error. Every string a cursor carries is a document id; every number is an integer
 * inside Firestore's Timestamp range.
 */
export function decodeCursor(cursor: string, expectedLength: number): CursorValue[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  if (Array.isArray(values) && values.length === expectedLength && values.every(isCursorValue)) return values as CursorValue[];
  throw invalidCursor();
}

function isCursorValue(value: unknown): boolean {
  if (typeof value === "string") return isDocumentId(value);
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= MIN_MILLIS && value <= MAX_MILLIS;
  return value === null || typeof value === "boolean";
}

/** Firestore's document id rules: 1-1500 bytes of UTF-8, no `/`, not `.` or `..`, not `__name__`-like. */
export function isDocumentId(id: string): boolean {
  const bytes = Buffer.byteLength(id, "utf8");
  if (bytes < 1 || bytes > MAX_ID_BYTES) return false;
  if (id.includes("/") || id === "." || id === "..") return false;
  // A lone surrogate does not survive UTF-8 encoding, so it cannot name a stored document.
  if (Buffer.from(id, "utf8").toString("utf8") !== id) return false;
  return !(id.length >= 4 && id.startsWith("__") && id.endsWith("__"));
}

function invalidCursor(): ValidationError {
  return new ValidationError("Invalid cursor: pass back the nextCursor of a previous page", [{ path: "cursor", message: "Invalid cursor" }]);
}
