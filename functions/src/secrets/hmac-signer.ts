import { createHmac, timingSafeEqual } from "node:crypto";
import type { KeyRing } from "../lib/secrets";

/**
 * Internal HMAC signatures under a rotating key (`INTERNAL_HMAC_KEY`): `v<key version>.<base64url
 * HMAC-SHA256>`. Verification uses the version the signature names, so during a rotation's grace
 * period signatures of the previous version still verify, and stop once it is disabled.
 */
export type HmacSigner = {
  sign(message: string): Promise<string>;
  verify(message: string, signature: string): Promise<boolean>;
};

export function createHmacSigner(keys: KeyRing): HmacSigner {
  const mac = (key: Buffer, message: string) => createHmac("sha256", key).update(message, "utf8").digest();
  return {
    async sign(message) {
      const { version, key } = await keys.current();
      return `v${version}.${mac(key, message).toString("base64url")}`;
    },
    async verify(message, signature) {
      const m = /^v(\d+)\.([A-Za-z0-9_-]+)$/.exec(signature);
      if (!m) return false;
      let key: Buffer;
      try {
        key = await keys.version(m[1]!);
      } catch {
        // A disabled, destroyed or unknown version: the signature is no longer accepted (fail closed).
        return false;
      }
      const given = Buffer.from(m[2]!, "base64url");
      const expected = mac(key, message);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
