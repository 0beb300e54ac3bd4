import { createHash } from "node:crypto";
import type { File } from "@google-cloud/storage";
import type * as StorageModule from "@google-cloud/storage";
import type { StoredObject } from "./backups-records";

type ObjectFile = Pick<File, "name" | "getMetadata" | "download">;

/** An object's size and checksums as Cloud Storage reports them; null when it does not exist. */
export async function describeObject(file: Pick<File, "name" | "getMetadata">): Promise<StoredObject | null> {
  try {
    const [meta] = await file.getMetadata();
    return {
      name: file.name,
      size: Number(meta.size ?? 0),
      crc32c: String(meta.crc32c ?? ""),
      ...(meta.md5Hash ? { md5Hash: String(meta.md5Hash) } : {}),
    };
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

export function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === 404;
}

/** CRC32C and MD5 of bytes, in Cloud Storage's base64 encodings. */
export function hashBytes(bytes: Buffer): { crc32c: string; md5Hash: string } {
  // Loaded here, not at the top: every function loads this module, few hash (app/clients.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CRC32C } = require("@google-cloud/storage") as typeof StorageModule;
  const crc = new CRC32C();
  crc.update(bytes);
  return { crc32c: crc.toString(), md5Hash: createHash("md5").update(bytes).digest("base64") };
}

export type Verdict = { ok: true } | { ok: false; reason: "missing" | "size" | "crc32c" | "md5" };

/**
 * Checks a copy against the source's recorded checksums: size, CRC32C and MD5 from the copy's
 * metadata. When the copy's metadata lacks a checksum (composite objects have no MD5; some
 * stores report neither), its bytes are downloaded and hashed instead of trusting it.
 */
export async function verifyCopy(expected: StoredObject, copy: ObjectFile): Promise<Verdict> {
  const actual = await describeObject(copy);
  if (!actual) return { ok: false, reason: "missing" };
  if (actual.size !== expected.size) return { ok: false, reason: "size" };
  let { crc32c, md5Hash } = actual;
  if (!crc32c || (expected.md5Hash && !md5Hash)) {
    const [bytes] = await copy.download({ validation: false });
    ({ crc32c, md5Hash } = hashBytes(bytes));
  }
  if (crc32c !== expected.crc32c) return { ok: false, reason: "crc32c" };
  if (expected.md5Hash && md5Hash !== expected.md5Hash) return { ok: false, reason: "md5" };
  return { ok: true };
}
