import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks signing. Each endpoint has its own secret `whsec_<base64 of 32 random bytes>`,
 * shown once at creation or rotation. It is stored encrypted (AES-256-GCM, key derived with HKDF
 * from the `WEBHOOK_SECRET_KEY` secret param, the endpoint id as associated data so a ciphertext
 * copied onto another endpoint does not decrypt): only a holder of the param, i.e. the delivery
 * worker and the management functions it is bound to, can sign. Encryption rather than an
 * HMAC-derived key so the key param can be rotated by re-encrypting (the `v1` prefix names it).
 */

export const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;
const ENVELOPE = "v1";

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

/** Encrypts and decrypts endpoint secrets with the key param; built once per instance. */
export type SecretBox = {
  seal(secret: string, endpointId: string): string;
  open(sealed: string, endpointId: string): string;
};

export function createSecretBox(masterKey: () => string, random: (size: number) => Buffer = randomBytes): SecretBox {
  let derived: Buffer | undefined;
  const key = () => {
    if (derived) return derived;
    const master = masterKey();
    // Fail closed: without the param no secret can be stored or used (never a default key).
    if (master.length < 16) throw new Error("WEBHOOK_SECRET_KEY is not set (at least 16 characters).");
    derived = Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), "webhook-endpoint-secrets", 32));
    return derived;
  };
  return {
    seal(secret, endpointId) {
      const iv = random(12);
      const cipher = createCipheriv("aes-256-gcm", key(), iv);
      cipher.setAAD(Buffer.from(endpointId));
      const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
      return [ENVELOPE, iv.toString("base64"), cipher.getAuthTag().toString("base64"), ciphertext.toString("base64")].join(".");
    },
    open(sealed, endpointId) {
      const [version, iv, tag, ciphertext] = sealed.split(".");
      if (version !== ENVELOPE || !iv || !tag || ciphertext === undefined) throw new Error("Unknown webhook secret envelope.");
      const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64"));
      decipher.setAAD(Buffer.from(endpointId));
      decipher.setAuthTag(Buffer.from(tag, "base64"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64")), decipher.final()]).toString("utf8");
    },
  };
}
