import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { Redis } from "@upstash/redis";
import { startUpstashRestServer } from "../../tools/upstash-rest/src/index";

/** What the benchmark talks to, plus how to take down whatever it started itself. */
export type BenchStack = { url: string; token: string; redis: Redis; describe: string; stop(): Promise<void> };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not open port ${port} within ${timeoutMs} ms`);
}

const client = (url: string, token: string) => new Redis({ url, token, retry: false, enableTelemetry: false });

/**
 * `UPSTASH_REDIS_REST_URL` (+ token): use that endpoint. `REDIS_URL`: put an in-process REST
 * endpoint in front of it. Neither: start a throwaway redis-server on a free port too.
 */
export async function startBenchStack(): Promise<BenchStack> {
  const givenUrl = process.env.UPSTASH_REDIS_REST_URL;
  if (givenUrl) {
    const token = process.env.UPSTASH_REDIS_REST_TOKEN;
    if (!token) throw new Error("UPSTASH_REDIS_REST_URL is set but UPSTASH_REDIS_REST_TOKEN is not.");
    return { url: givenUrl, token, redis: client(givenUrl, token), describe: `given endpoint ${givenUrl}`, stop: async () => {} };
  }
  let redisServer: ChildProcess | undefined;
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const port = await freePort();
    redisServer = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    redisServer.on("error", (error) => {
      throw new Error(`could not start redis-server (is it installed?): ${error.message}`);
    });
    await waitForPort(port);
    redisUrl = `redis://127.0.0.1:${port}`;
  }
  const token = `bench-${process.pid}`;
  const rest = await startUpstashRestServer({ port: 0, host: "127.0.0.1", redisUrl, token });
  return {
    url: rest.url,
    token,
    redis: client(rest.url, token),
    describe: `in-process upstash-rest ${rest.url} -> ${redisServer ? "throwaway " : ""}${redisUrl}`,
    async stop() {
      await rest.close();
      redisServer?.kill("SIGTERM");
    },
  };
}
