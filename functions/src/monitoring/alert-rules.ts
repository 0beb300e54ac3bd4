import type { OutcomeClass } from "../lib/metrics";
import type { Severity } from "./monitoring-records";
import type { WindowName } from "./metric-windows";
import { BURN_ALERTS, SLOS, type Sli } from "./slo";

/** Values read outside the request metrics, each minute, by `monitoring-gauges.ts`. */
export type GaugeName = "deadLettersLastHour" | "newestVerifiedBackupAgeMs";

type RuleBase = {
  id: string;
  severity: Severity;
  /** What the notification says; `{value}` and `{threshold}` are filled in. */
  summary: string;
};

/**
 * Every alert, declared once. Thresholds are over windows of rolled-up minutes and evaluated each
 * minute; `signal` rules are opened at once by the critical event path (Pub/Sub) and resolved by
 * the minute evaluation once no signal came for `quietMs`. Each rule has a runbook at
 * `monitoring/runbooks/<id>.md` (a test checks), and the deployed Cloud Monitoring policies in
 * `monitoring/alert-policies/` mirror the ones the platform can see.
 */
export type AlertRule = RuleBase &
  (
    | { kind: "ratio"; window: WindowName; outcome: OutcomeClass; threshold: number; minRequests: number }
    | { kind: "latency"; window: WindowName; quantile: number; thresholdMs: number; minRequests: number }
    | { kind: "counter"; window: WindowName; counters: string[]; threshold: number }
    | { kind: "gauge"; gauge: GaugeName; threshold: number }
    | { kind: "burn-rate"; slo: string; sli: Sli; long: WindowName; short: WindowName; factor: number }
    | { kind: "signal"; signal: string; quietMs: number }
  );

const HOUR = 3_600_000;

export const THRESHOLD_RULES: AlertRule[] = [
  { id: "error-rate", kind: "ratio", severity: "critical", window: "5m", outcome: "server", threshold: 0.05, minRequests: 20, summary: "Server errors are {value} of requests over 5 minutes (threshold {threshold})." },
  { id: "latency-p95", kind: "latency", severity: "warning", window: "5m", quantile: 0.95, thresholdMs: 2_500, minRequests: 20, summary: "p95 latency is {value} ms over 5 minutes (threshold {threshold} ms)." },
  { id: "throttling-rate", kind: "ratio", severity: "warning", window: "5m", outcome: "throttled", threshold: 0.2, minRequests: 50, summary: "{value} of requests were refused with 429 over 5 minutes (threshold {threshold})." },
  { id: "rate-limit-fallback", kind: "counter", severity: "warning", window: "5m", counters: ["rate_limit.fallback"], threshold: 10, summary: "{value} rate-limit decisions were made by the in-memory fallback over 5 minutes: Redis is slow or down (threshold {threshold})." },
  { id: "dead-letters", kind: "gauge", severity: "warning", gauge: "deadLettersLastHour", threshold: 5, summary: "{value} events were dead-lettered in the last hour (threshold {threshold})." },
  { id: "backup-age", kind: "gauge", severity: "critical", gauge: "newestVerifiedBackupAgeMs", threshold: 26 * HOUR, summary: "The newest verified backup is {value} ms old (threshold {threshold} ms)." },
  { id: "purge-failures", kind: "counter", severity: "warning", window: "1h", counters: ["purges.failed", "backups.purge_failed"], threshold: 1, summary: "{value} purges failed in the last hour." },
  { id: "webhook-failures", kind: "counter", severity: "warning", window: "30m", counters: ["webhooks.failed"], threshold: 200, summary: "{value} webhook attempts failed over 30 minutes (threshold {threshold})." },
];

/** Opened by the critical event path (`critical-signals`), resolved after a quiet period. */
export const SIGNAL_RULES: AlertRule[] = [
  { id: "critical-server-errors", kind: "signal", severity: "critical", signal: "server-error-burst", quietMs: 5 * 60_000, summary: "A burst of server errors: {value} within seconds on one instance." },
  { id: "critical-redis-unreachable", kind: "signal", severity: "critical", signal: "redis-unreachable", quietMs: 5 * 60_000, summary: "Redis is unreachable: metric flushes fail (rate limits and cache run in memory)." },
  { id: "critical-dead-letters", kind: "signal", severity: "critical", signal: "dead-letter-growth", quietMs: 10 * 60_000, summary: "Dead letters are growing: {value} within a minute on one instance." },
];

/** One burn-rate rule per SLO, SLI and window pair. */
export const BURN_RATE_RULES: AlertRule[] = SLOS.flatMap((slo) =>
  (["availability", "latency"] as const).flatMap((sli) =>
    BURN_ALERTS.map(
      (b): AlertRule => ({
        id: `slo-${slo.id}-${sli}-${b.id}`,
        kind: "burn-rate",
        severity: b.severity,
        slo: slo.id,
        sli,
        long: b.long,
        short: b.short,
        factor: b.factor,
        summary: `${slo.id} ${sli} SLO burning its error budget at {value}x over ${b.long} and ${b.short} (threshold {threshold}x: ${b.budgetShare}).`,
      }),
    ),
  ),
);

export const ALERT_RULES: AlertRule[] = [...THRESHOLD_RULES, ...SIGNAL_RULES, ...BURN_RATE_RULES];

/** The runbook of a rule: burn-rate rules share one per SLO kind. */
export function runbookOf(rule: AlertRule): string {
  if (rule.kind === "burn-rate") return `monitoring/runbooks/slo-burn-rate.md`;
  return `monitoring/runbooks/${rule.id}.md`;
}

export const signalRule = (signal: string) => SIGNAL_RULES.find((r) => r.kind === "signal" && r.signal === signal);
