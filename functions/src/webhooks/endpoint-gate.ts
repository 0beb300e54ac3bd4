import type { Redis } from "@upstash/redis";
import { REDIS_PREFIX, redisKey } from "../lib/redis-keys";

/**
 * The per-endpoint concurrency cap: at most `limit` attempts in flight against one endpoint.
 * Slots expire by themselves (`ttlMs`), so a crashed worker's slot is not held forever. With
 * Redis the cap holds across instances; without it (local runs), per instance.
 */
export type EndpointGate = {
  acquire(endpointId: string, token: string, limit: number, ttlMs: number, now: number): Promise<boolean>;
  release(endpointId: string, token: string): Promise<void>;
};

const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

const key = (endpointId: string) => redisKey(REDIS_PREFIX.webhooks, "inflight", endpointId);

export function createRedisGate(redis: Pick<Redis, "eval" | "zrem">): EndpointGate {
  return {
    async acquire(endpointId, token, limit, ttlMs, now) {
      const result = await redis.eval(ACQUIRE, [key(endpointId)], [String(now), String(now + ttlMs), String(limit), token, String(ttlMs)]);
      return Number(result) === 1;
    },
    async release(endpointId, token) {
      await redis.zrem(key(endpointId), token);
    },
  };
}

export function createMemoryGate(): EndpointGate {
  const slots = new Map<string, Map<string, number>>();
  return {
    async acquire(endpointId, token, limit, ttlMs, now) {
      const held = slots.get(endpointId) ?? new Map<string, number>();
      for (const [t, until] of held) if (until <= now) held.delete(t);
      if (held.size >= limit) return false;
      held.set(token, now + ttlMs);
      slots.set(endpointId, held);
      return true;
    },
    async release(endpointId, token) {
      slots.get(endpointId)?.delete(token);
    },
  };
}
