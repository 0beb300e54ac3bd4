/**
 * Per-call latency: N sequential `redis.get` through the endpoint with the real @upstash/redis
 * client, against the same GET sent straight to Redis over TCP (node-redis).
 *
 *   npx tsx tools/upstash-rest/bench/latency.ts [--n 1000] [--redis redis://127.0.0.1:6390]
 *
 * The endpoint runs as its own process (as in the local stack), started from src/cli.ts.
 * Without --redis / REDIS_URL a throwaway redis-server is started.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { Redis } from "@upstash/redis";
import { createClient } from "redis";
import { freePort, RedisProcess } from "../test/redis-process";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};

async function measure(label: string, n: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, n); i++) await call(); // warm-up
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    samples.push(performance.now() - t);
  }
  const mean = (performance.now() - start) / n;
  samples.sort((a, b) => a - b);
  const p = (q: number): string => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(3);
  console.log(`${label.padEnd(52)} mean ${mean.toFixed(3)} ms   p50 ${p(0.5)}   p99 ${p(0.99)}`);
  return mean;
}

async function main(): Promise<void> {
  const n = Number(arg("n") ?? 1000);
  let ownRedis: RedisProcess | undefined;
  let redisUrl = arg("redis") ?? process.env.REDIS_URL;
  if (!redisUrl) {
    ownRedis = await RedisProcess.startOnFreePort();
    redisUrl = ownRedis.url;
  }
  const port = await freePort();
  const token = "bench-token";
  const endpoint = spawn(
    process.execPath,
    [require.resolve("tsx/cli"), path.join(__dirname, "..", "src", "cli.ts"), "--port", String(port), "--redis", redisUrl, "--token", token],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve, reject) => {
    endpoint.once("exit", (code) => reject(new Error(`endpoint exited with ${code}`)));
    endpoint.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("listening on")) resolve();
    });
  });

  try {
    const key = `bench:${process.pid}`;
    const direct = createClient({ url: redisUrl });
    await direct.connect();
    await direct.set(key, "value");

    const url = `http://127.0.0.1:${port}`;
    const upstash = new Redis({ url, token, enableTelemetry: false });
    const upstashNoAuto = new Redis({ url, token, enableTelemetry: false, enableAutoPipelining: false });

    console.log(`${n} sequential GETs of a small value (after a warm-up), Redis at ${redisUrl}`);
    const raw = await measure("raw Redis GET over TCP (node-redis)", n, () => direct.get(key));
    const via = await measure("@upstash/redis get via endpoint (auto-pipeline)", n, () => upstash.get(key));
    await measure("@upstash/redis get via endpoint (POST /, no auto)", n, () => upstashNoAuto.get(key));
    await measure("@upstash/redis pipeline of 10 GETs via endpoint", Math.ceil(n / 10), () => {
      const p = upstash.pipeline();
      for (let i = 0; i < 10; i++) p.get(key);
      return p.exec();
    });
    console.log(`endpoint overhead per call: ${(via - raw).toFixed(3)} ms`);
    await direct.del(key);
    await direct.quit();
  } finally {
    endpoint.kill("SIGTERM");
    await ownRedis?.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
