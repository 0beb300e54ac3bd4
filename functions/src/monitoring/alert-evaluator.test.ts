import fs from "node:fs";
import path from "node:path";
import { LATENCY_BUCKETS_MS, type MetricCounts } from "../lib/metrics";
import { evaluate, type MonitoringSnapshot } from "./alert-evaluator";
import { ALERT_RULES, BURN_RATE_RULES, THRESHOLD_RULES } from "./alert-rules";

const latency = (ms: number, n: number) => LATENCY_BUCKETS_MS.map((b, i) => (ms <= b && (i === 0 || ms > (LATENCY_BUCKETS_MS[i - 1] ?? 0)) ? n : 0)).concat(ms > 30_000 ? n : 0);
const window = (apis: Record<string, { codes: Record<string, number>; ms?: number }>, counters: Record<string, number> = {}): MetricCounts => ({
  apis: Object.fromEntries(Object.entries(apis).map(([name, a]) => [name, { codes: a.codes, latency: latency(a.ms ?? 20, Object.values(a.codes).reduce((x, y) => x + y, 0)), latencySumMs: 0 }])),
  counters,
});
const firing = (snapshot: MonitoringSnapshot) => evaluate([...THRESHOLD_RULES, ...BURN_RATE_RULES], snapshot).filter((e) => e.firing).map((e) => e.ruleId);

describe("alert evaluation on synthetic series", () => {
  it("fires nothing on healthy traffic", () => {
    const healthy = window({ "callable:prompts.list": { codes: { ok: 1000, "not-found": 30 } }, "rest:GET /v1/x": { codes: { "200": 500 } } });
    expect(firing({ windows: { "5m": healthy, "30m": healthy, "1h": healthy, "6h": healthy, "3d": healthy }, gauges: { deadLettersLastHour: 0, newestVerifiedBackupAgeMs: 3_600_000 } })).toEqual([]);
  });

  it("fires the error-rate rule above 5% server errors, not below, and not on too few requests", () => {
    const bad = window({ "callable:prompts.list": { codes: { ok: 90, internal: 10 } } });
    expect(firing({ windows: { "5m": bad }, gauges: {} })).toContain("error-rate");
    expect(firing({ windows: { "5m": window({ "callable:prompts.list": { codes: { ok: 97, internal: 3 } } }) }, gauges: {} })).not.toContain("error-rate");
    expect(firing({ windows: { "5m": window({ "callable:prompts.list": { codes: { internal: 5 } } }) }, gauges: {} })).not.toContain("error-rate");
  });

  it("fires on p95 latency, the 429 share, rate-limit fallbacks, dead letters, backup age and failed purges", () => {
    const slow = window({ "rest:GET /v1/x": { codes: { "200": 100 }, ms: 4_000 } });
    expect(firing({ windows: { "5m": slow }, gauges: {} })).toContain("latency-p95");
    const throttled = window({ "rest:GET /v1/x": { codes: { "200": 60, "429": 40 } } });
    expect(firing({ windows: { "5m": throttled }, gauges: {} })).toContain("throttling-rate");
    expect(firing({ windows: { "5m": window({}, { "rate_limit.fallback": 12 }) }, gauges: {} })).toContain("rate-limit-fallback");
    expect(firing({ windows: { "1h": window({}, { "purges.failed": 1 }) }, gauges: {} })).toContain("purge-failures");
    expect(firing({ windows: {}, gauges: { deadLettersLastHour: 7, newestVerifiedBackupAgeMs: 30 * 3_600_000 } })).toEqual(expect.arrayContaining(["dead-letters", "backup-age"]));
    // A gauge that could not be read neither fires nor resolves on its own.
    expect(firing({ windows: {}, gauges: { newestVerifiedBackupAgeMs: null } })).not.toContain("backup-age");
  });

  it("fires a burn-rate alert only when both its long and short windows burn faster than the factor", () => {
    // 2% server errors against a 99.9% objective: burn rate 20 > 14.4.
    const burning = window({ "callable:prompts.list": { codes: { ok: 980, internal: 20 } } });
    const calm = window({ "callable:prompts.list": { codes: { ok: 1000 } } });
    expect(firing({ windows: { "1h": burning, "5m": burning }, gauges: {} })).toContain("slo-callables-availability-fast-burn");
    // The outage is over (short window calm): no page, even though the hour still burned.
    expect(firing({ windows: { "1h": burning, "5m": calm }, gauges: {} })).not.toContain("slo-callables-availability-fast-burn");
    expect(firing({ windows: { "1h": calm, "5m": burning }, gauges: {} })).not.toContain("slo-callables-availability-fast-burn");
  });

  it("declares a runbook for every rule", () => {
    const root = path.resolve(__dirname, "..", "..", "..");
    const missing = ALERT_RULES.map((r) => (r.kind === "burn-rate" ? "slo-burn-rate" : r.id)).filter((id) => !fs.existsSync(path.join(root, "monitoring", "runbooks", `${id}.md`)));
    expect([...new Set(missing)]).toEqual([]);
  });
});
