/** Uses REDIS_URL when given; otherwise starts a throwaway redis-server for the whole run. */
import { RedisProcess } from "./redis-process";

export default async function globalSetup(): Promise<void> {
  if (process.env.REDIS_URL) return;
  const redis = await RedisProcess.startOnFreePort();
  (globalThis as { __upstashRestRedis?: RedisProcess }).__upstashRestRedis = redis;
  process.env.REDIS_URL = redis.url;
}
