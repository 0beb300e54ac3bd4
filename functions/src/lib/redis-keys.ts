/**
 * Every Redis key prefix of the backend, declared in one place so two features can never collide
 * on a key. Keys are built as `[prefix, ...parts].join(":")`. Add a prefix here before using it.
 */
export const REDIS_PREFIX = {
  /** Rate limiting: sliding windows, violation and failure counters, bans, challenges, overrides. */
  rateLimit: "rl",
  /** Two-level cache: values, tags, namespace versions, invalidation epoch, refresh locks. */
  cache: "cache",
  /** Webhooks: per-endpoint in-flight attempt slots (the concurrency cap). */
  webhooks: "wh",
  /** Monitoring: per-minute metric hashes (`mon:m:<minute>`, TTL'd) and the live-view slot. */
  monitoring: "mon",
} as const;

export type RedisPrefix = (typeof REDIS_PREFIX)[keyof typeof REDIS_PREFIX];

export function redisKey(prefix: RedisPrefix, ...parts: Array<string | number>): string {
  return [prefix, ...parts].join(":");
}
