import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API keys look like `rpl_<keyId>_<secret>`: the key id is public (it names the stored record
 * and is shown in lists), the secret is 32 random bytes shown once. Only a SHA-256 of the whole
 * key is stored: the key is high-entropy, so a slow hash would add latency and no safety.
 */
export const API_KEY_PREFIX = "rpl";
const KEY_ID_BYTES = 9;
const SECRET_BYTES = 32;
const FORMAT = /^rpl_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/;

export type GeneratedApiKey = { keyId: string; plaintext: string; hash: string; displayPrefix: string };

export function generateApiKey(random: (size: number) => Buffer = randomBytes): GeneratedApiKey {
  const keyId = random(KEY_ID_BYTES).toString("base64url");
  const secret = random(SECRET_BYTES).toString("base64url");
  const plaintext = `${API_KEY_PREFIX}_${keyId}_${secret}`;
  return { keyId, plaintext, hash: hashApiKey(plaintext), displayPrefix: `${API_KEY_PREFIX}_${keyId}_${secret.slice(0, 4)}` };
}

export function hashApiKey(plaintext: string): string {
  return createHash("sha256").update(plaintext, "utf8").digest("hex");
}

/** The key id inside a presented key, or null when it is not shaped like one of ours. */
export function parseApiKey(presented: string): { keyId: string } | null {
  const match = FORMAT.exec(presented);
  return match?.[1] ? { keyId: match[1] } : null;
}

export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}
