import { createHash } from "node:crypto";
import { redisKey, REDIS_PREFIX } from "../redis-keys";

/**
 * What a caller caches under: a namespace (the bulk-invalidation unit, e.g. `users`), an id
 * unique within it, and optional tags (cross-cutting invalidation units, e.g. `workspace:w1`).
 */
export type CacheKey = {
  namespace: string;
  id: string;
  /** @default [] */
  tags?: readonly string[];
};

export type CacheKeyRef = Pick<CacheKey, "namespace" | "id">;

/** What to invalidate in one call: any mix of single keys, tags and whole namespaces. */
export type InvalidationTargets = {
  keys?: readonly CacheKeyRef[];
  tags?: readonly string[];
  namespaces?: readonly string[];
};

const NAMESPACE = /^[a-z][a-z0-9_-]{0,63}$/;
const TAG = /^[A-Za-z0-9_.:@-]{1,200}$/;
const MAX_ID_LENGTH = 512;

export function assertNamespace(namespace: string): void {
  if (!NAMESPACE.test(namespace)) throw new Error(`Invalid cache namespace "${namespace}": 1-64 of a-z, 0-9, '_' or '-', starting with a letter.`);
}

export function assertTag(tag: string): void {
  if (!TAG.test(tag)) throw new Error(`Invalid cache tag "${tag}": 1-200 of letters, digits, '_', '.', ':', '@' or '-'.`);
}

export function assertKey(key: CacheKeyRef & { tags?: readonly string[] }): void {
  assertNamespace(key.namespace);
  if (key.id.length === 0 || key.id.length > MAX_ID_LENGTH) throw new Error(`Invalid cache id in ${key.namespace}: 1-${MAX_ID_LENGTH} characters.`);
  key.tags?.forEach(assertTag);
}

/** The in-process identity of an entry. The namespace has no ':', so this never collides. */
export function entryId(key: CacheKeyRef): string {
  return `${key.namespace}:${key.id}`;
}

/**
 * Redis keys of the cache. `scope` isolates test runs and benchmarks sharing one Redis; the
 * product leaves it empty.
 */
export function cacheRedisKeys(scope = "") {
  const base = (...parts: string[]) => (scope ? redisKey(REDIS_PREFIX.cache, scope, ...parts) : redisKey(REDIS_PREFIX.cache, ...parts));
  return {
    value: (key: CacheKeyRef) => base("v", key.namespace, key.id),
    lock: (key: CacheKeyRef) => base("lock", key.namespace, key.id),
    keyVersion: (key: CacheKeyRef) => base("kv", key.namespace, key.id),
    namespaceVersion: (namespace: string) => base("nv", namespace),
    tagVersion: (tag: string) => base("tv", tag),
    /** Global invalidation counter: every invalidation takes the next number. */
    sequence: base("seq"),
    /** Stream of recent invalidations, which instances replay against their L1. */
    log: base("log"),
  };
}

export type CacheRedisKeys = ReturnType<typeof cacheRedisKeys>;

const TAG_PART = /^[A-Za-z0-9_.@-]{1,128}$/;

/**
 * A tag naming one invalidation unit, `<kind>:<part>:<part>...`. Tags allow a narrow alphabet; a
 * part outside it (a custom Auth uid may hold any character) is replaced by a digest, so it still
 * names exactly one tag and never fails the read.
 */
export function cacheTag(kind: string, ...parts: string[]): string {
  return [kind, ...parts.map((part) => (TAG_PART.test(part) ? part : `h.${createHash("sha256").update(part, "utf8").digest("base64url").slice(0, 32)}`))].join(":");
}
