import { classTotals, slowerThan, mergedLatency, type ApiCounts, type MetricCounts } from "../lib/metrics";

/**
 * Service level objectives per API group, over a rolling 30 days. Availability: the share of
 * requests that are not server errors (client errors and throttling are the caller's, not an
 * outage). Latency: the share of requests answered within `thresholdMs` (a histogram bound).
 */
export type Slo = {
  id: string;
  description: string;
  /** API names (as the recorder names them) that count, by prefix; `exclude` wins. */
  include: string[];
  exclude?: string[];
  availability: number;
  latency: { thresholdMs: number; objective: number };
};

const EXECUTION_APIS = ["callable:executions.run", "rest:POST /v1/workspaces/{workspaceId}/executions"];

export const SLOS: Slo[] = [
  { id: "callables", description: "HTTPS callables (web and mobile), LLM executions apart", include: ["callable:"], exclude: EXECUTION_APIS, availability: 0.999, latency: { thresholdMs: 1_000, objective: 0.99 } },
  { id: "rest-api", description: "REST API (`/v1`, API keys), LLM executions apart", include: ["rest:"], exclude: EXECUTION_APIS, availability: 0.999, latency: { thresholdMs: 1_000, objective: 0.99 } },
  { id: "executions", description: "Prompt executions (callable and REST): the LLM call dominates", include: EXECUTION_APIS, availability: 0.995, latency: { thresholdMs: 10_000, objective: 0.95 } },
  { id: "health", description: "`GET /health`", include: ["health"], availability: 0.999, latency: { thresholdMs: 500, objective: 0.99 } },
];

/** The 30-day window an error budget is counted over. */
export const SLO_PERIOD_DAYS = 30;

export function sloApis(slo: Slo, counts: MetricCounts): ApiCounts[] {
  return Object.entries(counts.apis)
    .filter(([name]) => slo.include.some((p) => name.startsWith(p)) && !(slo.exclude ?? []).some((p) => name.startsWith(p)))
    .map(([, api]) => api);
}

export type Sli = "availability" | "latency";

/** Good and bad events of an SLI in a window. */
export function sliEvents(slo: Slo, sli: Sli, counts: MetricCounts): { total: number; bad: number } {
  const apis = sloApis(slo, counts);
  if (sli === "availability") {
    const totals = classTotals(apis);
    return { total: totals.total, bad: totals.server };
  }
  const latency = mergedLatency(apis);
  return { total: latency.reduce((a, b) => a + b, 0), bad: slowerThan(latency, slo.latency.thresholdMs) };
}

export const objectiveOf = (slo: Slo, sli: Sli) => (sli === "availability" ? slo.availability : slo.latency.objective);

/**
 * Error budget over a period: the bad events the objective allows (`(1 - objective) × total`),
 * the share of it spent, and what is left (negative once overspent). Without traffic nothing is
 * spent.
 */
export function errorBudget(total: number, bad: number, objective: number): { allowedBad: number; spent: number; remaining: number } {
  const allowedBad = (1 - objective) * total;
  if (total === 0) return { allowedBad: 0, spent: 0, remaining: 1 };
  const spent = allowedBad === 0 ? (bad > 0 ? Number.POSITIVE_INFINITY : 0) : bad / allowedBad;
  return { allowedBad, spent, remaining: 1 - spent };
}

/**
 * Burn rate: how fast the budget is spent, relative to spending exactly all of it over the
 * period (1 = on track to spend it all in 30 days; 14.4 = 2% of the 30-day budget in one hour).
 */
export function burnRate(total: number, bad: number, objective: number): number {
  if (total === 0) return 0;
  return bad / total / (1 - objective);
}

/**
 * Multi-window, multi-burn-rate alerts (Google SRE workbook, "Alerting on SLOs"): each fires only
 * when both its long window (the budget really is going) and its short window (it still is now)
 * burn faster than the factor, so it fires fast on a big outage and resolves fast after it.
 */
export const BURN_ALERTS = [
  { id: "fast-burn", long: "1h", short: "5m", factor: 14.4, severity: "critical", budgetShare: "2% of the budget in 1 hour" },
  { id: "slow-burn", long: "6h", short: "30m", factor: 6, severity: "warning", budgetShare: "5% of the budget in 6 hours" },
  { id: "budget-ticket", long: "3d", short: "6h", factor: 1, severity: "ticket", budgetShare: "10% of the budget in 3 days" },
] as const;
