/**
 * One measurement: `connections` concurrent connections against one served function for a fixed
 * time, with the latency of every response kept (autocannon's histogram has no p95), status codes
 * counted, the limiter's headers read, and the function's RSS sampled while it runs.
 */
import fs from "node:fs";
import autocannon from "autocannon";
import type { LoadUser } from "./seed";
import type { ServedFunction } from "./serve";
import type { Target } from "./targets";

export type Row = {
  target: string;
  connections: number;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** Non-2xx answers other than 429, plus timeouts and connection errors. */
  errors: number;
  timeouts: number;
  /** Requests the limiter refused (429). */
  limited: number;
  /** Answers carrying X-RateLimit-Remaining, and the lowest value seen. */
  limiterHeaders: number;
  minRemaining: number | null;
  statusCodes: Record<string, number>;
  peakRssMiB: number | null;
  /** Redis calls of the limiter or the cache that fell back to memory (their log events). */
  fallbacks: number;
  /** `slow_query` records the function logged. */
  slowQueries: number;
  /** CPU the function's process spent per answered request, in ms. */
  cpuMsPerRequest: number | null;
  /** Throughput over the one-read baseline's at the same connections (filled by the runner). */
  ratio?: number;
};

/** Nothing but loopback is ever loaded. */
export function assertLoopback(url: string): void {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`Refusing to load ${url}: the load tool only targets 127.0.0.1.`);
}

function logSize(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

/** Log events of one kind written to `file` since byte `from`. */
function countEvents(file: string, from: number, events: string[]): number {
  const size = logSize(file);
  if (size <= from) return 0;
  const buffer = Buffer.alloc(size - from);
  const fd = fs.openSync(file, "r");
  try {
    fs.readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    fs.closeSync(fd);
  }
  const text = buffer.toString("utf8");
  return events.reduce((sum, event) => sum + text.split(`"event":"${event}"`).length - 1, 0);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * Waits until the function has worked through what the last run left queued (autocannon stops
 * sending, but requests already admitted still run), so one level does not slow the next.
 */
export async function drain(served: ServedFunction, target: Target, user: LoadUser): Promise<void> {
  const { method, path, headers, body } = target.request(user);
  await fetch(`${served.url}${path}`, { method, headers, ...(body ? { body } : {}), signal: AbortSignal.timeout(60_000) }).catch(() => undefined);
}

export async function measure(served: ServedFunction, target: Target, users: LoadUser[], connections: number, seconds: number): Promise<Row> {
  assertLoopback(served.url);
  const latencies: number[] = [];
  let limiterHeaders = 0;
  let minRemaining: number | null = null;
  let next = 0;
  let peakRssMiB = served.rssMiB();
  const logFrom = logSize(served.logFile);
  const cpuFrom = served.cpuMs();
  const sampler = setInterval(() => {
    const rss = served.rssMiB();
    if (rss !== null) peakRssMiB = Math.max(peakRssMiB ?? 0, rss);
  }, 250);

  const instance = autocannon({
    url: served.url,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        setupRequest: () => {
          const user = users[next++ % users.length];
          if (!user) throw new Error("no load users");
          return target.request(user);
        },
        onResponse: (_status, _body, _context, headers) => {
          const remaining = Object.entries(headers).find(([key]) => key.toLowerCase() === "x-ratelimit-remaining")?.[1];
          if (remaining === undefined) return;
          limiterHeaders++;
          const value = Number(remaining);
          if (Number.isFinite(value)) minRemaining = minRemaining === null ? value : Math.min(minRemaining, value);
        },
      },
    ],
  });
  instance.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  const result = await instance;
  clearInterval(sampler);
  const cpuTo = served.cpuMs();

  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  const limited = statusCodes["429"] ?? 0;
  latencies.sort((a, b) => a - b);
  return {
    target: target.name,
    connections,
    requests: result.requests.total,
    rps: result.requests.total / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: result.non2xx - limited + result.errors,
    timeouts: result.timeouts,
    limited,
    limiterHeaders,
    minRemaining,
    statusCodes,
    peakRssMiB: peakRssMiB === null ? null : Math.round(peakRssMiB),
    fallbacks: countEvents(served.logFile, logFrom, ["rate_limit_redis_unavailable", "cache_redis_unavailable"]),
    slowQueries: countEvents(served.logFile, logFrom, ["slow_query"]),
    cpuMsPerRequest: cpuFrom === null || cpuTo === null || result.requests.total === 0 ? null : (cpuTo - cpuFrom) / result.requests.total,
  };
}
