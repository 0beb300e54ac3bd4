import { LATENCY_BUCKETS_MS, outcomeClass, type MetricCounts } from "../lib/metrics";
import type { AlertRecord } from "./monitoring-records";
import { errorBudget, burnRate, objectiveOf, SLOS, sliEvents, type Sli } from "./slo";
import type { WindowName } from "./metric-windows";

/** Label values escaped as the text format says: backslash, double quote, newline. */
const esc = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (pairs: Record<string, string>) => `{${Object.entries(pairs).map(([k, v]) => `${k}="${esc(v)}"`).join(",")}}`;
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : "-Inf");

export type ExpositionInput = {
  /** Today's counts (UTC day): exposed as counters, which reset at midnight (Prometheus `rate()` handles resets). */
  today: MetricCounts;
  /** The SLO windows: 30 days for the budgets, 1 h and 5 m for the burn rates. */
  windows: Partial<Record<WindowName, MetricCounts>>;
  alerts: AlertRecord[];
  /** When the counts were last rolled up (epoch ms). */
  rolledUpAt: number | null;
};

/**
 * The aggregated metrics in the Prometheus text exposition format (version 0.0.4): requests by
 * API and code, the latency histogram in seconds, feature counters, open alerts, and each SLO's
 * remaining error budget and burn rates. Every instance's counts, not one instance's.
 */
export function toPrometheusText(input: ExpositionInput): string {
  const lines: string[] = [];
  const family = (name: string, type: "counter" | "gauge" | "histogram", help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

  family("rag_requests_total", "counter", "Requests by API and outcome code (today, UTC; all instances).");
  for (const [api, counts] of Object.entries(input.today.apis)) {
    for (const [code, n] of Object.entries(counts.codes)) lines.push(`rag_requests_total${labels({ api, code, class: outcomeClass(code) })} ${n}`);
  }

  family("rag_request_duration_seconds", "histogram", "Request latency by API (today, UTC; all instances).");
  for (const [api, counts] of Object.entries(input.today.apis)) {
    let cumulative = 0;
    LATENCY_BUCKETS_MS.forEach((bound, i) => {
      cumulative += counts.latency[i] ?? 0;
      lines.push(`rag_request_duration_seconds_bucket${labels({ api, le: String(bound / 1000) })} ${cumulative}`);
    });
    cumulative += counts.latency[LATENCY_BUCKETS_MS.length] ?? 0;
    lines.push(`rag_request_duration_seconds_bucket${labels({ api, le: "+Inf" })} ${cumulative}`);
    lines.push(`rag_request_duration_seconds_sum${labels({ api })} ${counts.latencySumMs / 1000}`);
    lines.push(`rag_request_duration_seconds_count${labels({ api })} ${cumulative}`);
  }

  family("rag_events_total", "counter", "Feature counters: rate limits, cache, webhooks, backups, purges, workers, executions, tokens, cost (today, UTC).");
  for (const [name, n] of Object.entries(input.today.counters)) lines.push(`rag_events_total${labels({ name })} ${n}`);

  family("rag_alert_open", "gauge", "1 while the alert rule is open.");
  for (const alert of input.alerts) lines.push(`rag_alert_open${labels({ rule: alert.ruleId, severity: alert.severity })} ${alert.status === "open" ? 1 : 0}`);

  family("rag_slo_error_budget_remaining_ratio", "gauge", "Share of the 30-day error budget left (negative once overspent).");
  const budgets: string[] = [];
  const burns: string[] = [];
  for (const slo of SLOS) {
    for (const sli of ["availability", "latency"] as Sli[]) {
      const objective = objectiveOf(slo, sli);
      const month = sliEvents(slo, sli, input.windows["30d"] ?? { apis: {}, counters: {} });
      budgets.push(`rag_slo_error_budget_remaining_ratio${labels({ slo: slo.id, sli })} ${num(errorBudget(month.total, month.bad, objective).remaining)}`);
      for (const window of ["5m", "1h", "6h"] as WindowName[]) {
        const w = input.windows[window];
        if (!w) continue;
        const events = sliEvents(slo, sli, w);
        burns.push(`rag_slo_burn_rate${labels({ slo: slo.id, sli, window })} ${num(burnRate(events.total, events.bad, objective))}`);
      }
    }
  }
  lines.push(...budgets);
  family("rag_slo_burn_rate", "gauge", "Error budget burn rate over a window (1 = spending exactly the budget over 30 days).");
  lines.push(...burns);

  family("rag_metrics_rollup_timestamp_seconds", "gauge", "When the minute rollup last ran.");
  lines.push(`rag_metrics_rollup_timestamp_seconds ${input.rolledUpAt === null ? 0 : input.rolledUpAt / 1000}`);
  return `${lines.join("\n")}\n`;
}
