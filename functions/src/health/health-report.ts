import type { Clock } from "../lib/clock";
import type { HealthCheck, HealthReport } from "./health-check";

/** What anyone may see: up, degraded or down, nothing about the dependencies behind it. */
export type PublicHealth = Pick<HealthReport, "status">;

export type HealthReporterDeps = {
  check: Pick<HealthCheck, "run">;
  clock: Clock;
  /** How long one probe's report is served to every caller of this instance. @default 5000 */
  ttlMs?: number;
};

/**
 * The health check as the endpoint serves it: one probe (a Firestore read, a Redis PING) per
 * instance per `ttlMs`, whatever the request rate, and concurrent requests share the probe in
 * flight instead of each starting one. Without this, twenty concurrent probes of a cold instance
 * timed each other out (answered `down`) and every request cost a read and a Redis command.
 * A `down` report is cached like any other: a few seconds of lag on recovery is the price of
 * not probing a struggling dependency once per request.
 */
export function createHealthReporter({ check, clock, ttlMs = 5_000 }: HealthReporterDeps) {
  let cached: { report: HealthReport; at: number } | undefined;
  let inFlight: Promise<HealthReport> | undefined;

  return {
    async report(): Promise<HealthReport> {
      if (cached && clock.now() - cached.at < ttlMs) return cached.report;
      inFlight ??= check
        .run()
        .then((report) => {
          cached = { report, at: clock.now() };
          return report;
        })
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
  };
}

export type HealthReporter = ReturnType<typeof createHealthReporter>;

export function publicHealth(report: HealthReport): PublicHealth {
  return { status: report.status };
}
