import { randomUUID } from "node:crypto";
import { upstashEnv } from "./redis-env";
import { runWorkers } from "./run-workers";
import { windowFigures } from "./window-check";

const LIMIT = 100;
const PROCESSES = 4;

jest.setTimeout(90_000);

describe("accuracy: 4 separate processes hammer one identity", () => {
  it("admits exactly the limit from a burst inside one window (limit 100, 240 attempts)", async () => {
    const { url, token } = upstashEnv();
    const { reports } = await runWorkers({ count: PROCESSES, url, token, id: `acc-burst-${randomUUID()}`, limit: LIMIT, windowMs: 60_000, attempts: 60 });
    const admitted = reports.reduce((sum, r) => sum + r.admitted.length, 0);

    expect(admitted).toBeGreaterThanOrEqual(LIMIT * 0.99);
    expect(admitted).toBeLessThanOrEqual(LIMIT * 1.01);
  });

  it("keeps every rolling window within 1% of the limit, both ways, over three saturated windows (100 per 2 s)", async () => {
    const { url, token } = upstashEnv();
    const windowMs = 2_000;
    const { reports } = await runWorkers({ count: PROCESSES, url, token, id: `acc-sustained-${randomUUID()}`, limit: LIMIT, windowMs, durationMs: 3 * windowMs });
    const figures = windowFigures(
      reports.flatMap((r) => r.admitted),
      reports.flatMap((r) => r.refused),
      windowMs,
    );

    expect(figures.maxInWindow).toBeLessThanOrEqual(LIMIT * 1.01);
    expect(figures.maxInWindow).toBeGreaterThanOrEqual(LIMIT * 0.99);
    expect(figures.refusals).toBeGreaterThan(0);
    expect(figures.minAtRefusal).toBeGreaterThanOrEqual(LIMIT * 0.99);
  });
});
