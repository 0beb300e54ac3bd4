import { hkdfSync } from "node:crypto";
import { CURRENT, type SecretReader } from "./secret-reader";

/** A 256-bit key and the secret version it was derived from (stored beside what it protects). */
export type VersionedKey = { version: string; key: Buffer };

/**
 * The versions of one secret as keys for one purpose: `current()` to encrypt or sign with,
 * `version(v)` to open what an older version protected (while that version is still enabled).
 */
export type KeyRing = {
  current(): Promise<VersionedKey>;
  version(version: string): Promise<Buffer>;
};

const MIN_SECRET_BYTES = 16;

/**
 * Keys are derived with HKDF-SHA256 from the secret's value and a purpose label, so one secret
 * never serves two purposes with the same key bytes. Fails closed: a secret shorter than 16
 * bytes is refused (never a default key).
 */
export function createKeyRing(reader: SecretReader, secretId: string, purpose: string): KeyRing {
  const derived = new Map<string, Buffer>();
  const derive = (version: string, value: Buffer): Buffer => {
    if (value.length < MIN_SECRET_BYTES) throw new Error(`Secret ${secretId} version ${version} is shorter than ${MIN_SECRET_BYTES} bytes.`);
    const cacheKey = `${version}:${value.toString("base64")}`;
    let key = derived.get(cacheKey);
    if (!key) {
      key = Buffer.from(hkdfSync("sha256", value, Buffer.alloc(0), purpose, 32));
      derived.set(cacheKey, key);
    }
    return key;
  };
  return {
    async current() {
      const { version, value } = await reader.get(secretId, CURRENT);
      return { version, key: derive(version, value) };
    },
    async version(version) {
      const { value } = await reader.get(secretId, version);
      return derive(version, value);
    },
  };
}

/** One fixed secret as a key ring of a single version `0` (tests, and keys given as plain strings). */
export function staticKeyRing(secret: string, purpose: string): KeyRing {
  const value = Buffer.from(secret, "utf8");
  if (value.length < MIN_SECRET_BYTES) throw new Error(`A key must be at least ${MIN_SECRET_BYTES} bytes.`);
  const key = Buffer.from(hkdfSync("sha256", value, Buffer.alloc(0), purpose, 32));
  return {
    current: async () => ({ version: "0", key }),
    version: async (version) => {
      if (version !== "0") throw new Error(`Key version ${version} does not exist.`);
      return key;
    },
  };
}
