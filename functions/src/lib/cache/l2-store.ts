import type { Redis } from "@upstash/redis";
import { z } from "zod";
import type { CacheKey, CacheKeyRef, CacheRedisKeys, InvalidationTargets } from "./cache-keys";
import { readEnvelope, versionOf, writeEnvelope, type Envelope, type VersionStamps } from "./envelope";
import type { RedisGuard } from "./redis-guard";

/** The Redis commands the cache uses: a real `@upstash/redis` client or a small fake fits. */
export type CacheRedis = Pick<Redis, "mget" | "set" | "del" | "eval">;

/**
 * One invalidation: take the next sequence number, make it the new version of every key,
 * namespace and tag named (so values stamped with the old version read as outdated), and append
 * the targets to the log other instances replay against their L1. Versions expire after the
 * longest lifetime of any value: by then nothing stamped with the old version is left, and
 * since versions come from one counter they never repeat.
 */
const INVALIDATE_SCRIPT = `
local seq = redis.call('INCR', KEYS[1])
for i = 3, #KEYS do
  redis.call('SET', KEYS[i], seq, 'PX', ARGV[1])
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'seq', seq, 'targets', ARGV[3])
return seq
`;

/** The current sequence number plus the log entries after `ARGV[1]` (or the last one). */
const SYNC_SCRIPT = `
local seq = redis.call('GET', KEYS[1]) or '0'
if ARGV[1] == '' then
  return {seq, redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)}
end
return {seq, redis.call('XRANGE', KEYS[2], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])}
`;

const TARGETS_MARKER = "~";

export type L2Read = { envelope: Envelope | null; current: VersionStamps };

export type LogEntry = { id: string; seq: number; targets: InvalidationTargets };

export type SyncResult = { seq: number; entries: LogEntry[] };

export type L2StoreOptions = {
  redis: CacheRedis;
  keys: CacheRedisKeys;
  guard: RedisGuard;
  /** Entries kept in the invalidation log. @default 10000 */
  logLength?: number;
};

export function createL2Store({ redis, keys, guard, logLength = 10_000 }: L2StoreOptions) {
  return {
    /**
     * The value and the current versions of its key, namespace and tags, in one MGET: one
     * round trip whether it is a hit, a miss or an outdated value.
     */
    async read(key: CacheKey): Promise<L2Read> {
      const tags = key.tags ?? [];
      const redisKeys = [keys.value(key), keys.keyVersion(key), keys.namespaceVersion(key.namespace), ...tags.map(keys.tagVersion)];
      const raw = await guard.call(() => redis.mget<unknown[]>(redisKeys));
      const tagVersions: Record<string, string> = {};
      tags.forEach((tag, i) => (tagVersions[tag] = versionOf(raw[3 + i])));
      return {
        envelope: readEnvelope(raw[0]),
        current: { key: versionOf(raw[1]), namespace: versionOf(raw[2]), tags: tagVersions },
      };
    },

    async write(key: CacheKeyRef, envelope: Envelope, ttlMs: number, releaseLock: boolean): Promise<void> {
      await guard.call(() =>
        Promise.all([
          redis.set(keys.value(key), writeEnvelope(envelope), { px: Math.max(1, Math.ceil(ttlMs)) }),
          releaseLock ? redis.del(keys.lock(key)) : Promise.resolve(0),
        ]),
      );
    },

    /** Whether this caller may load `key` now; others wait for its result. */
    async tryLock(key: CacheKeyRef, ttlMs: number, token: string): Promise<boolean> {
      const reply = await guard.call(() => redis.set(keys.lock(key), token, { nx: true, px: ttlMs }));
      return reply === "OK";
    },

    async unlock(key: CacheKeyRef): Promise<void> {
      await guard.call(() => redis.del(keys.lock(key)));
    },

    /** Invalidations must reach Redis when it is up at all, so they try even with the breaker open. */
    async invalidate(targets: InvalidationTargets, versionTtlMs: number): Promise<number> {
      const versionKeys = [
        ...(targets.keys ?? []).map(keys.keyVersion),
        ...(targets.namespaces ?? []).map(keys.namespaceVersion),
        ...(targets.tags ?? []).map(keys.tagVersion),
      ];
      const encoded = TARGETS_MARKER + JSON.stringify({ k: (targets.keys ?? []).map((k) => [k.namespace, k.id]), t: targets.tags ?? [], n: targets.namespaces ?? [] });
      const seq = await guard.call(() => redis.eval<string[], unknown>(INVALIDATE_SCRIPT, [keys.sequence, keys.log, ...versionKeys], [String(versionTtlMs), String(logLength), encoded]), {
        ignoreBreaker: true,
      });
      return Number(seq);
    },

    /** `afterId` empty: just the current position (sequence and last entry). */
    async sync(afterId: string, count: number): Promise<SyncResult> {
      const reply = syncReplySchema.safeParse(await guard.call(() => redis.eval<string[], unknown>(SYNC_SCRIPT, [keys.sequence, keys.log], [afterId, String(count)])));
      if (!reply.success) throw new Error("Unexpected reply to the cache sync script.");
      const [seq, entries] = reply.data;
      return { seq: Number(seq), entries: entries.map(parseLogEntry) };
    },
  };
}

export type L2Store = ReturnType<typeof createL2Store>;

/** The sync script answers `[sequence, [[entryId, [field, value, ...]], ...]]` (an XRANGE). */
const syncReplySchema = z.tuple([z.unknown(), z.array(z.tuple([z.unknown(), z.array(z.unknown())]))]);
const targetsSchema = z.object({ k: z.array(z.tuple([z.string(), z.string()])), t: z.array(z.string()), n: z.array(z.string()) });

function parseLogEntry([entryId, fields]: [unknown, unknown[]]): LogEntry {
  const field = (name: string) => {
    const i = fields.findIndex((f, index) => index % 2 === 0 && String(f) === name);
    return i === -1 ? undefined : fields[i + 1];
  };
  const text = String(field("targets") ?? "");
  const decoded = targetsSchema.safeParse(parseJson(text.startsWith(TARGETS_MARKER) ? text.slice(1) : text));
  if (!decoded.success) throw new Error("Malformed cache log entry.");
  const { k, t, n } = decoded.data;
  return {
    id: String(entryId),
    seq: Number(field("seq")),
    targets: { keys: k.map(([namespace, id]) => ({ namespace, id })), tags: t, namespaces: n },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
