import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { Timestamp } from "firebase-admin/firestore";
import { LATENCY_BUCKETS_MS } from "../lib/metrics";
import { toPrometheusText } from "./prometheus";

type Family = { name: string; type: string; metrics: Array<{ labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string; sum?: string }> };

describe("Prometheus exposition", () => {
  const latency = LATENCY_BUCKETS_MS.map(() => 0).concat(0);
  latency[0] = 7;
  latency[3] = 2;
  latency[LATENCY_BUCKETS_MS.length] = 1;
  const text = toPrometheusText({
    today: {
      apis: { 'rest:GET /v1/workspaces/{workspaceId}/prompts': { codes: { "200": 9, "500": 1 }, latency, latencySumMs: 40_250 }, 'callable:odd"name\\x': { codes: { ok: 1 }, latency: latency.map(() => 0), latencySumMs: 0 } },
      counters: { "rate_limit.fallback": 3, "tokens.input": 1200 },
    },
    windows: { "30d": { apis: {}, counters: {} } },
    alerts: [{ ruleId: "error-rate", status: "open", severity: "critical", summary: "s", value: 0.1, threshold: 0.05, source: "evaluation", openedAt: Timestamp.fromMillis(0), lastSeenAt: Timestamp.fromMillis(0), resolvedAt: null, notified: null, occurrences: 1, runbook: "r" }],
    rolledUpAt: 1_700_000_000_000,
  });
  const families = parsePrometheusTextFormat(text) as Family[];
  const family = (name: string) => families.find((f) => f.name === name);

  it("parses with a Prometheus text parser, every family typed", () => {
    expect(families.map((f) => `${f.name}:${f.type}`)).toEqual(
      expect.arrayContaining(["rag_requests_total:COUNTER", "rag_request_duration_seconds:HISTOGRAM", "rag_events_total:COUNTER", "rag_alert_open:GAUGE", "rag_slo_error_budget_remaining_ratio:GAUGE"]),
    );
  });

  it("exposes requests by API and code, with escaped label values", () => {
    const requests = family("rag_requests_total")?.metrics ?? [];
    expect(requests).toEqual(expect.arrayContaining([{ labels: { api: "rest:GET /v1/workspaces/{workspaceId}/prompts", code: "500", class: "server" }, value: "1" }]));
    expect(requests.some((m) => m.labels?.api === 'callable:odd"name\\x')).toBe(true);
  });

  it("exposes the latency histogram cumulatively, in seconds", () => {
    // The parser folds a histogram's label sets into one (it reads label-less histograms only): one API here.
    const single = toPrometheusText({ today: { apis: { "health": { codes: { "200": 10 }, latency, latencySumMs: 40_250 } }, counters: {} }, windows: {}, alerts: [], rolledUpAt: null });
    const metrics = (parsePrometheusTextFormat(single) as Family[]).find((f) => f.name === "rag_request_duration_seconds")?.metrics ?? [];
    const buckets = metrics.find((m) => m.buckets)?.buckets;
    expect(buckets?.["0.01"]).toBe("7");
    expect(buckets?.["0.1"]).toBe("9");
    expect(buckets?.["+Inf"]).toBe("10");
    expect(single).toContain('rag_request_duration_seconds_count{api="health"} 10');
    expect(single).toContain('rag_request_duration_seconds_sum{api="health"} 40.25');
  });

  it("exposes feature counters and open alerts", () => {
    expect(family("rag_events_total")?.metrics).toEqual(expect.arrayContaining([{ labels: { name: "rate_limit.fallback" }, value: "3" }]));
    expect(family("rag_alert_open")?.metrics).toEqual([{ labels: { rule: "error-rate", severity: "critical" }, value: "1" }]);
  });
});
