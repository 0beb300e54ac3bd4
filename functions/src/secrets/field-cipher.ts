import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "../lib/errors";
import type { KeyRing } from "../lib/secrets";

/**
 * Envelope encryption of personal data in stored documents. Each value gets its own random
 * 256-bit data key; the value is encrypted with it (AES-256-GCM), and the data key is wrapped
 * (AES-256-GCM) by the key-encryption key of the `FIELD_ENCRYPTION_KEY` secret's current version.
 * The token names that version, so any enabled version opens it, and rotation only re-wraps the
 * 32-byte data key (`rewrap`), never touching the value itself.
 *
 *   pii1.<key version>.<base64url(iv ‖ wrapped data key ‖ tag)>.<base64url(iv ‖ ciphertext ‖ tag)>
 *
 * Both layers are authenticated with the field's context (document path and field name) as
 * associated data: a token copied onto another document or field does not open. See
 * docs/secrets.md for how this compares with Fernet.
 */
export const TOKEN_PREFIX = "pii1";
const IV = 12;
const TAG = 16;
const DATA_KEY = 32;

export type FieldCipher = {
  seal(plaintext: string, context: string): Promise<string>;
  open(token: string, context: string): Promise<string>;
  /** The token with its data key wrapped by the current version; the same token if it already is. */
  rewrap(token: string, context: string): Promise<string>;
  /** The key version a token was sealed under. */
  keyVersionOf(token: string): string;
};

export type DecryptionFailure = "malformed" | "key-unavailable" | "authentication-failed";

/**
 * A stored encrypted field cannot be opened: a damaged or truncated token, a key version no
 * longer enabled, or a token that was altered or moved. Maps to `internal`; names the field's
 * context and the reason, never the value.
 */
export class FieldDecryptionError extends AppError {
  readonly code = "internal" as const;
  constructor(
    readonly context: string,
    readonly reason: DecryptionFailure,
    readonly keyVersion: string | null,
  ) {
    super(`Encrypted field ${context} could not be decrypted (${reason}${keyVersion ? `, key version ${keyVersion}` : ""}).`);
  }
}

type Parsed = { version: string; wrapped: Buffer; payload: Buffer };

function parse(token: string, context: string): Parsed {
  const parts = token.split(".");
  if (parts.length !== 4 || parts[0] !== TOKEN_PREFIX || !/^\d+$/.test(parts[1]!)) throw new FieldDecryptionError(context, "malformed", null);
  const wrapped = Buffer.from(parts[2]!, "base64url");
  const payload = Buffer.from(parts[3]!, "base64url");
  if (wrapped.length !== IV + DATA_KEY + TAG || payload.length < IV + TAG) throw new FieldDecryptionError(context, "malformed", parts[1]!);
  return { version: parts[1]!, wrapped, payload };
}

function encrypt(key: Buffer, plaintext: Buffer, aad: string, random: (n: number) => Buffer): Buffer {
  const iv = random(IV);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function decrypt(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(0, IV));
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([decipher.update(sealed.subarray(IV, sealed.length - TAG)), decipher.final()]);
}

const dataKeyAad = (version: string, context: string) => `${TOKEN_PREFIX}:dek:${version}:${context}`;
const valueAad = (context: string) => `${TOKEN_PREFIX}:value:${context}`;

export function createFieldCipher(deps: { keys: KeyRing; random?: (size: number) => Buffer }): FieldCipher {
  const random = deps.random ?? randomBytes;

  async function unwrap(parsed: Parsed, context: string): Promise<Buffer> {
    let kek: Buffer;
    try {
      kek = await deps.keys.version(parsed.version);
    } catch {
      throw new FieldDecryptionError(context, "key-unavailable", parsed.version);
    }
    try {
      return decrypt(kek, parsed.wrapped, dataKeyAad(parsed.version, context));
    } catch {
      throw new FieldDecryptionError(context, "authentication-failed", parsed.version);
    }
  }

  const wrap = (version: string, kek: Buffer, dataKey: Buffer, context: string) => `${TOKEN_PREFIX}.${version}.${encrypt(kek, dataKey, dataKeyAad(version, context), random).toString("base64url")}`;

  return {
    async seal(plaintext, context) {
      const { version, key } = await deps.keys.current();
      const dataKey = random(DATA_KEY);
      const payload = encrypt(dataKey, Buffer.from(plaintext, "utf8"), valueAad(context), random);
      return `${wrap(version, key, dataKey, context)}.${payload.toString("base64url")}`;
    },
    async open(token, context) {
      const parsed = parse(token, context);
      const dataKey = await unwrap(parsed, context);
      try {
        return decrypt(dataKey, parsed.payload, valueAad(context)).toString("utf8");
      } catch {
        throw new FieldDecryptionError(context, "authentication-failed", parsed.version);
      }
    },
    async rewrap(token, context) {
      const parsed = parse(token, context);
      const { version, key } = await deps.keys.current();
      if (parsed.version === version) return token;
      const dataKey = await unwrap(parsed, context);
      return `${wrap(version, key, dataKey, context)}.${parsed.payload.toString("base64url")}`;
    },
    keyVersionOf(token) {
      return parse(token, "token").version;
    },
  };
}
