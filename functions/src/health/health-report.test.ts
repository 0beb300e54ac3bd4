import { manualClock } from "../lib/clock";
import type { HealthReport } from "./health-check";
import { createHealthReporter, publicHealth } from "./health-report";

const report = (status: HealthReport["status"]): HealthReport => ({
  status,
  checkedAt: "2026-01-01T00:00:00.000Z",
  dependencies: { firestore: { status: "ok", latencyMs: 3 }, redis: { status: "down", latencyMs: 250, error: "Error: fetch failed" } },
});

function probeCounting(statuses: HealthReport["status"][]) {
  let calls = 0;
  let release: (() => void) | undefined;
  const run = jest.fn(async () => {
    const status = statuses[Math.min(calls, statuses.length - 1)] ?? "ok";
    calls++;
    await new Promise<void>((resolve) => (release = resolve));
    return report(status);
  });
  return { check: { run }, release: () => release?.() };
}

describe("health reporter", () => {
  it("shares one probe between concurrent requests", async () => {
    const clock = manualClock();
    const { check, release } = probeCounting(["ok"]);
    const reporter = createHealthReporter({ check, clock });

    const pending = Array.from({ length: 20 }, () => reporter.report());
    release();
    const reports = await Promise.all(pending);

    expect(check.run).toHaveBeenCalledTimes(1);
    expect(new Set(reports.map((r) => r.status))).toEqual(new Set(["ok"]));
  });

  it("serves the last report for the TTL, then probes again", async () => {
    const clock = manualClock();
    const { check, release } = probeCounting(["ok", "down"]);
    const reporter = createHealthReporter({ check, clock, ttlMs: 5_000 });
    const first = reporter.report();
    release();
    await first;

    clock.advance(4_999);
    expect((await reporter.report()).status).toBe("ok");
    expect(check.run).toHaveBeenCalledTimes(1);

    clock.advance(1);
    const next = reporter.report();
    release();
    expect((await next).status).toBe("down");
    expect(check.run).toHaveBeenCalledTimes(2);
  });

  it("a probe that throws is not cached, and the next request probes again", async () => {
    const run = jest.fn().mockRejectedValueOnce(new Error("boom")).mockResolvedValue(report("ok"));
    const reporter = createHealthReporter({ check: { run }, clock: manualClock() });
    await expect(reporter.report()).rejects.toThrow("boom");
    await expect(reporter.report()).resolves.toMatchObject({ status: "ok" });
  });

  it("the public view is the status alone", () => {
    expect(publicHealth(report("degraded"))).toEqual({ status: "degraded" });
  });
});
