import { REDIS_PREFIX, redisKey } from "../redis-keys";
import type { Identity } from "./types";

const rl = (...parts: Array<string | number>) => redisKey(REDIS_PREFIX.rateLimit, ...parts);

/** `user:<uid>`, `apiKey:<id>` or `ip:<address>`: the name overrides and lists use too. */
export function identityKey(identity: Pick<Identity, "kind" | "id">): string {
  return `${identity.kind}:${identity.id}`;
}

/** Every Redis key of the limiter, built in one place under the `rl` prefix. */
export const rateLimitKeys = {
  window: (bucket: string, idKey: string, index: number) => rl("win", bucket, idKey, index),
  meta: (bucket: string, idKey: string) => rl("meta", bucket, idKey),
  violations: (idKey: string) => rl("viol", idKey),
  challenge: (idKey: string) => rl("chal", idKey),
  override: (idKey: string) => rl("ov", idKey),
  /** Bans and failure counts of anonymous requests are per client IP (IPv6 per /64, see `ipSubject`). */
  ban: (ip: string) => rl("ban", ip),
  failures: (ip: string) => rl("fail", ip),
  /** Failures of an authenticated identity count against it alone, never against its IP. */
  identityBan: (idKey: string) => rl("iban", idKey),
  identityFailures: (idKey: string) => rl("ifail", idKey),
};

/** The ban key used when a request carries no IP: never written, so never banned. */
export const NO_IP = "none";
