import { randomUUID } from "node:crypto";
import net from "node:net";
import { Redis } from "@upstash/redis";
import { manualClock, type Clock } from "../../src/lib/clock";

type ManualClock = ReturnType<typeof manualClock>;
import { createTwoLevelCache, type TwoLevelCacheOptions } from "../../src/lib/cache";

/** The Upstash-compatible endpoint of the local stack, as `npm test` exports it. */
export function upstashEnv(): { url: string; token: string } {
  const url = process.env.UPSTASH_REDIS_REST_URL;
  const token = process.env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) {
    throw new Error("UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN are not set: run the tests with `npm test`, which starts the local stack (Redis behind the Upstash REST endpoint).");
  }
  return { url, token };
}

/** A client configured like the product's (`app/clients.ts`): no retries, short timeout. */
export function testRedis(url = upstashEnv().url, timeoutMs = 1000): Redis {
  return new Redis({ url, token: upstashEnv().token, retry: false, signal: () => AbortSignal.timeout(timeoutMs), enableTelemetry: false });
}

export const quietLogger = { warn: () => {} };

/**
 * A fresh keyspace on the shared Redis and a factory for cache instances in it: two instances
 * made here behave like two Cloud Functions instances sharing one Redis.
 */
// A loaded test machine must not turn slow Redis answers into fallbacks; tests of timeouts set their own.
export function cacheCluster<C extends Clock = ManualClock>(options: Partial<TwoLevelCacheOptions> & { clock?: C } = {}) {
  const scope = `t${randomUUID().slice(0, 8)}`;
  const clock = (options.clock ?? manualClock()) as C;
  const redis = testRedis();
  const instance = (overrides: Partial<TwoLevelCacheOptions> = {}) => createTwoLevelCache({ redis, clock, scope, logger: quietLogger, redisTimeoutMs: 3_000, ...options, ...overrides });
  const cleanup = async () => {
    const keys = await redis.keys(`cache:${scope}:*`);
    if (keys.length > 0) await redis.del(...keys);
  };
  return { scope, clock, redis, instance, cleanup };
}

/** A loader over an in-memory "database" that counts its calls. */
export function countingSource<T>(initial: Record<string, T>) {
  const rows = new Map(Object.entries(initial));
  const calls: string[] = [];
  return {
    calls,
    set: (id: string, value: T) => rows.set(id, value),
    load: (id: string, delayMs = 0) => async (): Promise<T | null> => {
      calls.push(id);
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return rows.get(id) ?? null;
    },
  };
}

/**
 * A TCP proxy in front of the REST endpoint that can be cut: `pause()` drops every connection
 * and refuses new ones (Redis "down" without touching the shared Redis), `resume()` heals it.
 */
export async function pausableProxy(target: string): Promise<{ url: string; pause(): void; resume(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  let paused = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (paused) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    pause() {
      paused = true;
      for (const s of sockets) s.destroy();
    },
    resume() {
      paused = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
