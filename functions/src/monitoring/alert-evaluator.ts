import { classTotals, histogramQuantile, mergedLatency, type MetricCounts } from "../lib/metrics";
import type { AlertRule, GaugeName } from "./alert-rules";
import type { WindowName } from "./metric-windows";
import { burnRate, objectiveOf, SLOS, sliEvents } from "./slo";

/** What one evaluation sees: request and counter windows, and the gauges. */
export type MonitoringSnapshot = {
  windows: Partial<Record<WindowName, MetricCounts>>;
  gauges: Partial<Record<GaugeName, number | null>>;
};

export type Evaluation = { ruleId: string; firing: boolean; value: number | null; threshold: number; summary: string };

const fill = (template: string, value: number | null, threshold: number) =>
  template.replace("{value}", value === null ? "n/a" : String(Math.round(value * 1000) / 1000)).replace("{threshold}", String(threshold));

const empty: MetricCounts = { apis: {}, counters: {} };

/**
 * Evaluates threshold and burn-rate rules on a snapshot: a pure function, tested on synthetic
 * series. `signal` rules are not evaluated here (the state machine resolves them when quiet).
 * A window with too few requests never fires a ratio or latency rule (noise at night).
 */
export function evaluate(rules: AlertRule[], snapshot: MonitoringSnapshot): Evaluation[] {
  const out: Evaluation[] = [];
  for (const rule of rules) {
    let value: number | null = null;
    let threshold: number;
    let firing = false;
    switch (rule.kind) {
      case "ratio": {
        const totals = classTotals(Object.values((snapshot.windows[rule.window] ?? empty).apis));
        threshold = rule.threshold;
        value = totals.total ? totals[rule.outcome] / totals.total : null;
        firing = totals.total >= rule.minRequests && value !== null && value > threshold;
        break;
      }
      case "latency": {
        const apis = Object.values((snapshot.windows[rule.window] ?? empty).apis);
        const latency = mergedLatency(apis);
        const count = latency.reduce((a, b) => a + b, 0);
        threshold = rule.thresholdMs;
        value = histogramQuantile(latency, rule.quantile);
        firing = count >= rule.minRequests && value !== null && value > threshold;
        break;
      }
      case "counter": {
        const counters = (snapshot.windows[rule.window] ?? empty).counters;
        threshold = rule.threshold;
        value = rule.counters.reduce((sum, name) => sum + (counters[name] ?? 0), 0);
        firing = value >= threshold;
        break;
      }
      case "gauge": {
        threshold = rule.threshold;
        value = snapshot.gauges[rule.gauge] ?? null;
        firing = value !== null && value >= threshold;
        break;
      }
      case "burn-rate": {
        const slo = SLOS.find((s) => s.id === rule.slo);
        threshold = rule.factor;
        if (!slo) break;
        const objective = objectiveOf(slo, rule.sli);
        const long = sliEvents(slo, rule.sli, snapshot.windows[rule.long] ?? empty);
        const short = sliEvents(slo, rule.sli, snapshot.windows[rule.short] ?? empty);
        const longRate = burnRate(long.total, long.bad, objective);
        const shortRate = burnRate(short.total, short.bad, objective);
        value = Math.min(longRate, shortRate);
        firing = longRate > rule.factor && shortRate > rule.factor;
        break;
      }
      case "signal":
        continue;
    }
    out.push({ ruleId: rule.id, firing, value, threshold, summary: fill(rule.summary, value, threshold) });
  }
  return out;
}
