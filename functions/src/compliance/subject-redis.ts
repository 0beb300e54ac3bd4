import { REDIS_PREFIX } from "../lib/redis-keys";

/** What finding and deleting a person's Redis keys uses of the client (Upstash's `Redis` fits). */
export type SubjectRedis = {
  scan(cursor: string | number, options: { match: string; count: number }): Promise<[string, string[]]>;
  type(key: string): Promise<string>;
  get<T = unknown>(key: string): Promise<T | null>;
  del(...keys: string[]): Promise<number>;
};

export type RedisFinding = { key: string; type: string; value: unknown };

/**
 * A person's traces in Redis: keys that name them (rate-limit state `rl:*:user:<uid>`, cache
 * entries `cache:*:<uid>`) and cache values that hold their id or email (a cached workspace
 * naming its owner). Found by SCAN over the product's prefixes (`lib/redis-keys.ts`), so the
 * cost is the keyspace's size: acceptable for a rare, queued job, never on a request path.
 */
export async function findSubjectKeys(redis: SubjectRedis, needles: string[]): Promise<RedisFinding[]> {
  const found: RedisFinding[] = [];
  for (const prefix of Object.values(REDIS_PREFIX)) {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, { match: `${prefix}:*`, count: 500 });
      cursor = String(next);
      for (const key of keys) {
        const named = needles.some((n) => key.includes(n));
        const type = await redis.type(key);
        const value = type === "string" ? await redis.get<unknown>(key) : null;
        const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
        if (named || needles.some((n) => text.includes(n))) found.push({ key, type, value });
      }
    } while (cursor !== "0");
  }
  return found;
}

/** Deletes the keys found; an entry deleted from the cache is reloaded from the (erased) source. */
export async function deleteKeys(redis: SubjectRedis, keys: string[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < keys.length; i += 100) deleted += await redis.del(...keys.slice(i, i + 100));
  return deleted;
}
