import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { startUpstashRestServer } from "../../tools/upstash-rest/src/index";

export type BenchStack = { restUrl: string; token: string; redisUrl: string; stop(): Promise<void> };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Uses UPSTASH_REDIS_REST_URL/TOKEN and REDIS_URL when given; otherwise starts a throwaway
 * redis-server on a free port and the Upstash REST endpoint in-process in front of it.
 */
export async function benchStack(): Promise<BenchStack> {
  const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token, REDIS_URL: redisUrl } = process.env;
  if (url && token && redisUrl) return { restUrl: url, token, redisUrl, stop: async () => undefined };
  const redisPort = await freePort();
  const redis: ChildProcess = spawn("redis-server", ["--port", String(redisPort), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 300));
  const benchRedisUrl = `redis://127.0.0.1:${redisPort}`;
  const benchToken = "bench-token";
  const server = await startUpstashRestServer({ port: await freePort(), host: "127.0.0.1", redisUrl: benchRedisUrl, token: benchToken });
  return {
    restUrl: server.url,
    token: benchToken,
    redisUrl: benchRedisUrl,
    stop: async () => {
      await server.close();
      redis.kill("SIGTERM");
    },
  };
}

export function percentiles(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

export async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await fn(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples;
}
