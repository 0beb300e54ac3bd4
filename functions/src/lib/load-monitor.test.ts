import { systemClock } from "./clock";
import { createLoadMonitor } from "./load-monitor";

/** Blocks the event loop in stretches, as a burst of CPU-heavy requests does. */
async function blockLoop(times: number, ms: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      // spin
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("createLoadMonitor", () => {
  it("reports saturation when the event loop lags beyond the bound, from the samples of the window", async () => {
    const monitor = createLoadMonitor({ clock: systemClock, maxLoopDelayMs: 100, windowMs: 60_000 });
    monitor.saturated();
    await blockLoop(6, 200);
    expect(monitor.loopDelayMs()).toBeGreaterThan(100);
    expect(monitor.saturated()).toBe(true);
  });

  it("does not report saturation below the bound", async () => {
    const monitor = createLoadMonitor({ clock: systemClock, maxLoopDelayMs: 60_000, windowMs: 60_000 });
    monitor.saturated();
    await blockLoop(8, 20);
    expect(monitor.saturated()).toBe(false);
  });
});
