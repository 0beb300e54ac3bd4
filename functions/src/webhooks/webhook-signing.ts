import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { PREVIOUS, staticKeyRing, type KeyRing } from "../lib/secrets";

/**
 * Standard Webhooks signing. Each endpoint has its own secret `whsec_<base64 of 32 random bytes>`,
 * shown once at creation or rotation. It is stored encrypted (AES-256-GCM, key derived with HKDF
 * from a version of the `WEBHOOK_SECRET_KEY` secret, the endpoint id as associated data so a
 * ciphertext copied onto another endpoint does not decrypt): only a reader of that secret can
 * sign. Encryption rather than an HMAC-derived key so the key can be rotated by re-encrypting
 * (docs/secrets.md).
 */

export const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;
const ENVELOPE = "v2";
const LEGACY_ENVELOPE = "v1";

/** A new signing secret in the Standard Webhooks format. */
export function generateWebhookSecret(random: (size: number) => Buffer = randomBytes): string {
  return SECRET_PREFIX + random(SECRET_BYTES).toString("base64");
}

function secretKeyBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for each secret, space-separated. */
export function signatureHeader(secrets: readonly string[], webhookId: string, timestampSeconds: number, body: string): string {
  return secrets.map((secret) => `v1,${createHmac("sha256", secretKeyBytes(secret)).update(`${webhookId}.${timestampSeconds}.${body}`).digest("base64")}`).join(" ");
}

/** True when one of the header's `v1` signatures matches (what a receiver does; used in tests and the test tool). */
export function verifySignature(secret: string, header: string, webhookId: string, timestampSeconds: number, body: string): boolean {
  const expected = Buffer.from(signatureHeader([secret], webhookId, timestampSeconds, body).slice(3));
  return header.split(" ").some((part) => {
    const [version, value] = part.split(",");
    const given = Buffer.from(value ?? "");
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * Encrypts and decrypts endpoint secrets under the rotating `WEBHOOK_SECRET_KEY` (a key ring of
 * its Secret Manager versions). Sealed values name the key version
 * (`v2.<version>.<iv>.<tag>.<ciphertext>`), so values sealed before a rotation open during its
 * grace period and `reseal` moves them to the current version (the re-encryption job).
 * `v1` values (before versions were recorded) are tried with `current`, then `previous`.
 */
export type SecretBox = {
  seal(secret: string, endpointId: string): Promise<string>;
  open(sealed: string, endpointId: string): Promise<string>;
  /** The value sealed under the current key version; the same value when it already is. */
  reseal(sealed: string, endpointId: string): Promise<string>;
};

/** HKDF label of the key ring; the same derivation `v1` used, so old values still open. */
export const WEBHOOK_KEY_PURPOSE = "webhook-endpoint-secrets";

export function createSecretBox(keys: KeyRing | (() => string), random: (size: number) => Buffer = randomBytes): SecretBox {
  let ring: KeyRing | undefined = typeof keys === "function" ? undefined : keys;
  // Fail closed: without the key no secret can be stored or used (never a default key).
  const keyRing = (): KeyRing => (ring ??= staticKeyRing((keys as () => string)(), WEBHOOK_KEY_PURPOSE));
  const aad = (endpointId: string, version: string | null) => Buffer.from(version === null ? endpointId : `${endpointId}|${ENVELOPE}|${version}`);
  const decrypt = (key: Buffer, endpointId: string, version: string | null, iv: string, tag: string, ciphertext: string): string => {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
    decipher.setAAD(aad(endpointId, version));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64")), decipher.final()]).toString("utf8");
  };
  const box: SecretBox = {
    async seal(secret, endpointId) {
      const { version, key } = await keyRing().current();
      const iv = random(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(aad(endpointId, version));
      const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
      return [ENVELOPE, version, iv.toString("base64"), cipher.getAuthTag().toString("base64"), ciphertext.toString("base64")].join(".");
    },
    async open(sealed, endpointId) {
      const parts = sealed.split(".");
      if (parts[0] === LEGACY_ENVELOPE && parts.length === 4) {
        const [, iv, tag, ciphertext] = parts as [string, string, string, string];
        const current = await keyRing().current();
        try {
          return decrypt(current.key, endpointId, null, iv, tag, ciphertext);
        } catch {
          return decrypt(await keyRing().version(PREVIOUS), endpointId, null, iv, tag, ciphertext);
        }
      }
      if (parts[0] !== ENVELOPE || parts.length !== 5) throw new Error("Unknown webhook secret envelope.");
      const [, version, iv, tag, ciphertext] = parts as [string, string, string, string, string];
      return decrypt(await keyRing().version(version), endpointId, version, iv, tag, ciphertext);
    },
    async reseal(sealed, endpointId) {
      const parts = sealed.split(".");
      if (parts[0] === ENVELOPE && parts[1] === (await keyRing().current()).version) return sealed;
      return box.seal(await box.open(sealed, endpointId), endpointId);
    },
  };
  return box;
}
