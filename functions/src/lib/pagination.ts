import { ValidationError } from "./errors";

/** One page of a list and the opaque cursor of the next, or null at the end. */
export type Page<T> = { items: T[]; nextCursor: string | null };

type CursorValue = string | number | boolean | null;

/** Cursors are the last item's ordering values, base64url-encoded JSON: opaque to clients. */
export function encodeCursor(values: CursorValue[]): string {
  return Buffer.from(JSON.stringify(values), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, expectedLength: number): CursorValue[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(values) && values.length === expectedLength && values.every((v) => v === null || ["string", "number", "boolean"].includes(typeof v))) {
      return values as CursorValue[];
    }
  } catch {
    // fall through to the one error below
  }
  throw new ValidationError("Invalid cursor: pass back the nextCursor of a previous page", [{ path: "cursor", message: "Invalid cursor" }]);
}
