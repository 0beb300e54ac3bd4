/** Redis unreachable or hanging: fast 503s, then recovery without restarting the endpoint. */
import { Redis } from "@upstash/redis";
import type { UpstashRestServer } from "../src";
import { raw, startEndpoint, TOKEN, uniqueKey } from "./helpers";
import { freePort, RedisProcess } from "./redis-process";

let redisProcess: RedisProcess;
let server: UpstashRestServer;

beforeAll(async () => {
  redisProcess = new RedisProcess(await freePort());
});
afterEach(async () => {
  redisProcess.signal("SIGCONT");
  await server?.close();
  await redisProcess.stop();
});

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

it("answers 503 quickly while Redis is down and recovers when it is back", async () => {
  await redisProcess.start();
  server = await startEndpoint({ redisUrl: redisProcess.url });
  const redis = new Redis({ url: server.url, token: TOKEN, enableTelemetry: false, retry: false });
  const key = uniqueKey();
  expect(await redis.set(key, "v")).toBe("OK");
  expect(await redis.multi().incr(uniqueKey()).exec()).toEqual([1]);

  await redisProcess.stop();
  for (const path of ["/", "/pipeline", "/multi-exec"]) {
    const body = path === "/" ? ["GET", key] : [["GET", key]];
    const [res, ms] = await timed(() => raw(server, path, body));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: expect.stringMatching(/Redis unavailable/) });
    expect(ms).toBeLessThan(500);
  }
  await expect(redis.get(key)).rejects.toThrow(/Redis unavailable/);

  await redisProcess.start(); // an empty Redis on the same port
  expect(await redis.get(key)).toBeNull();
  expect(await redis.set(key, "again")).toBe("OK");
  expect(await redis.get(key)).toBe("again");
  expect(await redis.multi().incr(key + ":n").incr(key + ":n").exec()).toEqual([1, 2]);
});

it("starts while Redis is down (503) and serves once it comes up", async () => {
  server = await startEndpoint({ redisUrl: redisProcess.url });
  const [res, ms] = await timed(() => raw(server, "/", ["PING"]));
  expect(res.status).toBe(503);
  expect(ms).toBeLessThan(500);
  await redisProcess.start();
  expect(await raw(server, "/", ["PING"])).toEqual({ status: 200, body: { result: "PONG" } });
});

it("answers 503 when Redis stops answering, instead of hanging", async () => {
  await redisProcess.start();
  server = await startEndpoint({ redisUrl: redisProcess.url, commandTimeoutMs: 300, connectTimeoutMs: 300 });
  expect((await raw(server, "/", ["PING"])).status).toBe(200);
  redisProcess.signal("SIGSTOP");
  const [res, ms] = await timed(() => raw(server, "/pipeline", [["PING"], ["PING"]]));
  expect(res.status).toBe(503);
  expect(ms).toBeLessThan(2_000);
  redisProcess.signal("SIGCONT");
  // The dropped connection is re-established on demand.
  let status = 0;
  for (let i = 0; i < 20 && status !== 200; i++) {
    status = (await raw(server, "/", ["PING"])).status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 50));
  }
  expect(status).toBe(200);
});
