/**
 * Per-call latency: N sequential `redis.get` through the endpoint with the real @upstash/redis
 * client, against the same GET sent straight to Redis over TCP (node-redis).
 *
 *   npx tsx tools/upstash-rest/bench/latency.ts [--n 1000] [--redis redis://127.0.0.1:6390]
 *
 * The endpoint runs as its own process (as in the local stack), started from src/cli.ts.
 * Without --redis / REDIS_URL a throwaway redis-server is started. For scale, the same client is
 * also timed against a trivial HTTP server (own process, canned answer, no Redis): the floor of
 * "client + one HTTP round trip", so the difference is what the endpoint itself costs.
 * Each scenario runs --rounds times (interleaved, to average out a noisy machine); the best
 * round's mean is reported.
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

interface Stats {
  mean: number;
  p50: number;
  p99: number;
}

async function measure(n: number, call: () => Promise<unknown>): Promise<Stats> {
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
  const p = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { mean, p50: p(0.5), p99: p(0.99) };
}

const TRIVIAL_SERVER = `
const http = require("node:http");
const body = '[{"result":"dmFsdWU="}]';
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(200, { "content-type": "application/json", "content-length": body.length }); res.end(body); });
});
server.keepAliveTimeout = 65000;
server.listen(Number(process.argv[1]), "127.0.0.1", () => console.log("listening on"));
`;

async function startProcess(args: string[]): Promise<ReturnType<typeof spawn>> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}`)));
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("listening on")) resolve();
    });
  });
  return child;
}

async function main(): Promise<void> {
  const n = Number(arg("n") ?? 1000);
  let ownRedis: RedisProcess | undefined;
  let redisUrl = arg("redis") ?? process.env.REDIS_URL;
  if (!redisUrl) {
    ownRedis = await RedisProcess.startOnFreePort();
    redisUrl = ownRedis.url;
  }
  const rounds = Number(arg("rounds") ?? 3);
  const port = await freePort();
  const floorPort = await freePort();
  const token = "bench-token";
  const cli = path.join(__dirname, "..", "src", "cli.ts");
  const endpoint = await startProcess([require.resolve("tsx/cli"), cli, "--port", String(port), "--redis", redisUrl, "--token", token]);
  const floor = await startProcess(["-e", TRIVIAL_SERVER, String(floorPort)]);

  try {
    const key = `bench:${process.pid}`;
    const direct = createClient({ url: redisUrl });
    await direct.connect();
    await direct.set(key, "value");

    const url = `http://127.0.0.1:${port}`;
    const options = { token, enableTelemetry: false };
    const upstash = new Redis({ url, ...options });
    const upstashNoAuto = new Redis({ url, ...options, enableAutoPipelining: false });
    const trivial = new Redis({ url: `http://127.0.0.1:${floorPort}`, ...options });

    const scenarios: [string, number, () => Promise<unknown>][] = [
      ["raw Redis GET over TCP (node-redis)", n, () => direct.get(key)],
      ["@upstash/redis get -> trivial HTTP server (floor)", n, () => trivial.get(key)],
      ["@upstash/redis get -> endpoint (auto-pipeline)", n, () => upstash.get(key)],
      ["@upstash/redis get -> endpoint (POST /, no auto)", n, () => upstashNoAuto.get(key)],
      [
        "@upstash/redis pipeline of 10 GETs -> endpoint",
        Math.ceil(n / 10),
        () => {
          const p = upstash.pipeline();
          for (let i = 0; i < 10; i++) p.get(key);
          return p.exec();
        },
      ],
    ];
    const best = new Map<string, Stats>();
    for (let r = 0; r < rounds; r++) {
      for (const [label, count, call] of scenarios) {
        const stats = await measure(count, call);
        const prev = best.get(label);
        if (!prev || stats.mean < prev.mean) best.set(label, stats);
      }
    }
    console.log(`${n} sequential calls per scenario, best of ${rounds} rounds; Redis at ${redisUrl}`);
    for (const [label] of scenarios) {
      const s = best.get(label)!;
      console.log(`${label.padEnd(52)} mean ${s.mean.toFixed(3)} ms   p50 ${s.p50.toFixed(3)}   p99 ${s.p99.toFixed(3)}`);
    }
    const mean = (label: string): number => best.get(label)!.mean;
    console.log(
      `endpoint cost over the HTTP floor: ${(mean(scenarios[2]![0]) - mean(scenarios[1]![0])).toFixed(3)} ms per call; ` +
        `over raw Redis: ${(mean(scenarios[2]![0]) - mean(scenarios[0]![0])).toFixed(3)} ms`,
    );
    await direct.del(key);
    await direct.quit();
  } finally {
    endpoint.kill("SIGTERM");
    floor.kill("SIGTERM");
    await ownRedis?.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
