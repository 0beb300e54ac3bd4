import { TOKEN_PREFIX, type FieldCipher } from "./field-cipher";

/**
 * Sensitive fields of a stored document, sealed at write and opened at read. A document lists
 * the fields it holds sealed in `sealedFields`, so a value written before encryption existed
 * (no list) reads as it is, and a plaintext that happens to look like a token is never misread.
 */
export const SEALED_FIELDS = "sealedFields";

/** The narrow port domains take: seal some string fields of a record, open them again. */
export type FieldSealer = {
  seal<T extends Record<string, unknown>>(path: string, record: T, fields: ReadonlyArray<keyof T & string>): Promise<T & { sealedFields: string[] }>;
  /** `data` with its sealed fields opened and the marker removed; data without the marker unchanged. */
  open(path: string, data: Record<string, unknown> | undefined): Promise<Record<string, unknown> | undefined>;
};

const contextOf = (path: string, field: string) => `${path}#${field}`;

export function createFieldSealer(cipher: FieldCipher): FieldSealer {
  return {
    async seal(path, record, fields) {
      const out: Record<string, unknown> = { ...record };
      for (const field of fields) {
        const value = record[field];
        if (typeof value === "string") out[field] = await cipher.seal(value, contextOf(path, field));
      }
      return { ...(out as typeof record), sealedFields: fields.filter((f) => typeof record[f] === "string") };
    },
    async open(path, data) {
      const sealed = data?.[SEALED_FIELDS];
      if (!data || !Array.isArray(sealed)) return data;
      const { [SEALED_FIELDS]: _marker, ...out } = data;
      for (const field of sealed) {
        const value = out[field as string];
        // A value without the token prefix was written in plaintext after sealing (a redaction that blanks the field).
        if (typeof field === "string" && typeof value === "string" && value.startsWith(`${TOKEN_PREFIX}.`)) out[field] = await cipher.open(value, contextOf(path, field));
      }
      return out;
    },
  };
}

/** Re-wraps the sealed fields of stored `data` under the current key; null when nothing changed. */
export async function rewrapFields(cipher: FieldCipher, path: string, data: Record<string, unknown>): Promise<Record<string, string> | null> {
  const sealed = data[SEALED_FIELDS];
  if (!Array.isArray(sealed)) return null;
  const changes: Record<string, string> = {};
  for (const field of sealed) {
    const value = data[field as string];
    if (typeof field !== "string" || typeof value !== "string" || !value.startsWith(`${TOKEN_PREFIX}.`)) continue;
    const next = await cipher.rewrap(value, contextOf(path, field));
    if (next !== value) changes[field] = next;
  }
  return Object.keys(changes).length > 0 ? changes : null;
}
