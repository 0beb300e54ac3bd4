import type { Firestore } from "firebase-admin/firestore";
import type { Redis } from "@upstash/redis";
import type { Clock } from "../lib/clock";
import { scrubSecrets } from "../lib/logging";

export type DependencyStatus =
  | { status: "ok"; latencyMs: number }
  | { status: "down"; latencyMs: number; error: string }
  | { status: "disabled"; note: string };

export type HealthReport = {
  /** `ok`: all up. `degraded`: Redis down or off (limits and cache run in memory). `down`: Firestore unreachable. */
  status: "ok" | "degraded" | "down";
  checkedAt: string;
  dependencies: { firestore: DependencyStatus; redis: DependencyStatus };
};

export type HealthCheckDeps = {
  db: Pick<Firestore, "collection">;
  redis: Pick<Redis, "ping"> | null;
  clock: Clock;
  /** @default 2000 */
  timeoutMs?: number;
};

export function createHealthCheck({ db, redis, clock, timeoutMs = 2000 }: HealthCheckDeps) {
  async function probe(run: () => Promise<unknown>): Promise<DependencyStatus> {
    const started = clock.now();
    try {
      await withTimeout(run(), timeoutMs);
      return { status: "ok", latencyMs: clock.now() - started };
    } catch (error) {
      return { status: "down", latencyMs: clock.now() - started, error: scrubDependencyError(error) };
    }
  }

  return {
    async run(): Promise<HealthReport> {
      // One after the other: a cold Firestore client's first call blocks the event loop for about
      // 0.4 s (loading gRPC), long enough to time out a Redis ping running beside it.
      const firestoreStatus = await probe(() => db.collection("_health").doc("ping").get());
      const redisStatus: DependencyStatus = redis ? await probe(() => redis.ping()) : { status: "disabled", note: "no Redis configured; in-memory fallback" };
      const status = firestoreStatus.status !== "ok" ? "down" : redisStatus.status === "ok" ? "ok" : "degraded";
      return {
        status,
        checkedAt: new Date(clock.now()).toISOString(),
        dependencies: { firestore: firestoreStatus, redis: redisStatus },
      };
    },
  };
}

export type HealthCheck = ReturnType<typeof createHealthCheck>;

/**
 * The error's class and message with what could help an attacker taken out: credentials (the
 * log scrubber's patterns), URLs (the Redis endpoint), addresses and ports. Only admins see it
 * (health-endpoint.ts), but it still leaves the instance, so it is cut to 200 characters.
 */
export function scrubDependencyError(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
  return scrubSecrets(message.slice(0, 1_000))
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, "[url]")
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, "[address]")
    .replace(/\[?[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\]?(?::\d+)?/gi, (match) => (match.includes("::") || match.split(":").length > 3 ? "[address]" : match))
    .slice(0, 200);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
