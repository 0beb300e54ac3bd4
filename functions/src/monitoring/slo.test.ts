import { LATENCY_BUCKETS_MS, type MetricCounts } from "../lib/metrics";
import { burnRate, errorBudget, SLOS, sliEvents } from "./slo";

const api = (codes: Record<string, number>, latency: number[] = []) => ({ codes, latency: LATENCY_BUCKETS_MS.map((_, i) => latency[i] ?? 0).concat(latency[LATENCY_BUCKETS_MS.length] ?? 0), latencySumMs: 0 });

describe("error budget arithmetic", () => {
  it("allows (1 - objective) of the requests to fail over the period", () => {
    const budget = errorBudget(1_000_000, 250, 0.999);
    expect(budget.allowedBad).toBeCloseTo(1000);
    expect(budget.spent).toBeCloseTo(0.25);
    expect(budget.remaining).toBeCloseTo(0.75);
  });

  it("goes negative once overspent, and spends nothing without traffic", () => {
    expect(errorBudget(10_000, 30, 0.999).remaining).toBeCloseTo(-2);
    expect(errorBudget(0, 0, 0.999)).toEqual({ allowedBad: 0, spent: 0, remaining: 1 });
  });

  it("burns at 1 when failing at exactly the allowed rate, 14.4 when 2% of a 30-day budget goes in an hour", () => {
    expect(burnRate(100_000, 100, 0.999)).toBeCloseTo(1);
    // 2% of 30 days' budget in 1 hour: 0.02 × 720 h = 14.4.
    expect(burnRate(1_000, 14.4, 0.999)).toBeCloseTo(14.4);
    expect(burnRate(0, 0, 0.999)).toBe(0);
  });
});

describe("SLIs", () => {
  const counts: MetricCounts = {
    apis: {
      "callable:prompts.list": api({ ok: 990, "invalid-argument": 5, internal: 5 }, [900, 0, 0, 0, 0, 0, 90, 10]),
      "callable:executions.run": api({ ok: 10, unavailable: 10 }),
      "rest:GET /v1/workspaces/{workspaceId}/prompts": api({ "200": 50, "503": 1 }),
    },
    counters: {},
  };
  const callables = SLOS.find((s) => s.id === "callables");
  const executions = SLOS.find((s) => s.id === "executions");

  it("counts server errors as bad and client errors as good for availability, per SLO group", () => {
    expect(callables && sliEvents(callables, "availability", counts)).toEqual({ total: 1000, bad: 5 });
    expect(executions && sliEvents(executions, "availability", counts)).toEqual({ total: 20, bad: 10 });
  });

  it("counts requests above the latency threshold's bucket as bad", () => {
    // Threshold 1000 ms: buckets above the 1000 ms bound (here the 2500 ms one) are bad.
    expect(callables && sliEvents(callables, "latency", counts)).toEqual({ total: 1000, bad: 10 });
  });
});
