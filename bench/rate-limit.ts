/**
 * Rate-limit benchmark: `npx tsx bench/rate-limit.ts`. Prints, from one run on one Redis:
 * decision latency of our limiter (both windows, one EVALSHA over the Upstash REST transport)
 * next to the floor (one bare round trip over the same transport, and a raw Redis GET over TCP),
 * a blocked decision served from memory, admitted counts at 4 processes, and the same figures
 * for rate-limiter-flexible (RateLimiterRedis over ioredis/TCP: it cannot speak Upstash REST).
 */
import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { manualClock, systemClock } from "../functions/src/lib/clock";
import { createRateLimiter, createRedisStore, resolveRateLimitConfig } from "../functions/src/lib/rate-limit";
import { upstashClient } from "../functions/test/rate-limit/redis-env";
import { runWorkers } from "../functions/test/rate-limit/run-workers";
import { windowFigures } from "../functions/test/rate-limit/window-check";
import { benchStack, percentiles, timeEach } from "./rate-limit/stack";

const N = Number(process.env.BENCH_N ?? 2_000);
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const fmt = (ms: number) => (ms < 0.1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(3)} ms`);

async function main(): Promise<void> {
  const stack = await benchStack();
  const rest = upstashClient(stack.restUrl, stack.token);
  const tcp = new Redis(stack.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
  try {
    const rows: Array<[string, string, string, string]> = [];
    const row = (name: string, samples: number[], floor?: number) => {
      const { p50, p99 } = percentiles(samples);
      rows.push([name, fmt(p50), fmt(p99), floor ? `${(p50 / floor).toFixed(2)}x` : ""]);
      return p50;
    };

    await timeEach(200, () => rest.get("bench:missing"));
    const httpFloor = row("floor: one Upstash REST round trip (GET)", await timeEach(N, () => rest.get("bench:missing")));
    const tcpFloor = row("floor: raw Redis GET over TCP (ioredis)", await timeEach(N, () => tcp.get("bench:missing")));

    const config = resolveRateLimitConfig({ challenge: { violations: 0 } });
    const limiter = createRateLimiter({ config, store: createRedisStore(rest), clock: systemClock, logger: silent });
    const big = { kind: "user" as const, id: `bench-${randomUUID()}`, tier: "enterprise" as const };
    await limiter.limit({ identity: { ...big, id: "warm" }, policy: "read" });
    const ids = Array.from({ length: N }, () => ({ ...big, id: `bench-${randomUUID()}` }));
    row("ours: decision, minute + hour windows, 1 EVALSHA (REST)", await timeEach(N, (i) => limiter.limit({ identity: ids[i] as typeof big, policy: "read" })), httpFloor);

    const clock = manualClock(Date.now());
    const blocking = createRateLimiter({ config, store: createRedisStore(rest), clock, logger: silent });
    const blocked = { kind: "user" as const, id: `bench-blocked-${randomUUID()}`, tier: "free" as const };
    for (let i = 0; i < 11; i++) await blocking.limit({ identity: blocked, policy: "read" });
    const memorySamples = await timeEach(N, () => blocking.limit({ identity: blocked, policy: "read" }));
    row("ours: blocked decision served from memory (no Redis)", memorySamples);

    const peer = new RateLimiterRedis({ storeClient: tcp, keyPrefix: `bench-rlf-${randomUUID()}`, points: 1_000_000, duration: 60 });
    await peer.consume("warm");
    row("rate-limiter-flexible: consume, one window (TCP)", await timeEach(N, (i) => peer.consume(`k${i}`)), tcpFloor);

    // Accuracy at 4 processes, same Redis, burst inside one window and sustained over three.
    const burst = await runWorkers({ count: 4, url: stack.restUrl, token: stack.token, id: `bench-acc-${randomUUID()}`, limit: 100, windowMs: 60_000, attempts: 60 });
    const burstAdmitted = burst.reports.reduce((s, r) => s + r.admitted.length, 0);
    const sustained = await runWorkers({ count: 4, url: stack.restUrl, token: stack.token, id: `bench-acc-${randomUUID()}`, limit: 100, windowMs: 2_000, durationMs: 6_000 });
    const ours = windowFigures(sustained.reports.flatMap((r) => r.admitted), sustained.reports.flatMap((r) => r.refused), 2_000);

    const peerFigures = await peerSustained(stack.redisUrl);

    console.log("\nRate limiting benchmark (one run, one Redis; ratios against the floor of the same transport)\n");
    console.table(rows.map(([name, p50, p99, ratio]) => ({ measure: name, p50, p99, "p50 / floor": ratio })));
    console.log("\nAdmitted at 4 processes (limit 100):");
    console.table([
      { limiter: "ours, burst in one window (240 attempts)", admitted: burstAdmitted, "vs limit": pct(burstAdmitted, 100) },
      { limiter: "ours, sustained 3 × 2 s: most in any rolling window", admitted: ours.maxInWindow, "vs limit": pct(ours.maxInWindow, 100) },
      { limiter: "ours, sustained: fewest in a window ending at a refusal", admitted: ours.minAtRefusal, "vs limit": pct(ours.minAtRefusal ?? 0, 100) },
      { limiter: "rate-limiter-flexible, sustained 3 × 2 s: most in any rolling window", admitted: peerFigures.maxInWindow, "vs limit": pct(peerFigures.maxInWindow, 100) },
      { limiter: "rate-limiter-flexible, sustained: fewest in a window ending at a refusal", admitted: peerFigures.minAtRefusal, "vs limit": pct(peerFigures.minAtRefusal ?? 0, 100) },
    ]);
  } finally {
    tcp.disconnect();
    await stack.stop();
  }
}

/** rate-limiter-flexible with 4 concurrent clients (separate connections) for 3 × 2 s. */
async function peerSustained(redisUrl: string) {
  const key = `bench-rlf-acc-${randomUUID()}`;
  const endAt = Date.now() + 6_000;
  const admitted: number[] = [];
  const refused: number[] = [];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      const client = new Redis(redisUrl);
      const peer = new RateLimiterRedis({ storeClient: client, keyPrefix: key, points: 100, duration: 2 });
      while (Date.now() < endAt) {
        const at = Date.now();
        try {
          await peer.consume("one");
          admitted.push(at);
        } catch (error) {
          if (!(error instanceof RateLimiterRes)) throw error;
          refused.push(at);
          await new Promise((r) => setTimeout(r, Math.max(0, Math.min(error.msBeforeNext, endAt - Date.now()))));
        }
      }
      client.disconnect();
    }),
  );
  return windowFigures(admitted, refused, 2_000);
}

function pct(value: number, limit: number): string {
  const d = ((value - limit) / limit) * 100;
  return `${d >= 0 ? "+" : ""}${d.toFixed(1)}%`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
