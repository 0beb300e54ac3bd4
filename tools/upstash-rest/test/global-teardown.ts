import type { RedisProcess } from "./redis-process";

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { __upstashRestRedis?: RedisProcess };
  await holder.__upstashRestRedis?.stop();
  delete holder.__upstashRestRedis;
}
