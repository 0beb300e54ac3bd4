import fs from "node:fs";
import { ioTimeout } from "./io-timeout";

/** Keeps the event loop busy, as a burst of other requests on the same instance does. */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

/** Races `call` against the bound, as the Redis guards do. */
function bounded<T>(call: Promise<T>, ms: number): Promise<T | "timeout"> {
  let cancel = () => {};
  const timeout = new Promise<"timeout">((resolve) => {
    cancel = ioTimeout(ms, () => resolve("timeout")).cancel;
  });
  return Promise.race([call, timeout]).finally(cancel);
}

describe("ioTimeout", () => {
  it("lets an answer that arrived while the loop was busy win over a bound that expired meanwhile", async () => {
    // The stat completes on the thread pool during the busy stretch; its callback waits for the
    // poll phase. A plain setTimeout race reports a timeout whenever the loop reaches the timers
    // phase first (which phase comes first after a busy stretch depends on where it began, so
    // only the bounded race's outcome is asserted: it must not depend on it).
    const outcome = bounded(fs.promises.stat(__filename).then(() => "answered" as const), 20);
    busy(250);
    expect(await outcome).toBe("answered");
  });

  it("still cuts off a call that never answers", async () => {
    expect(await bounded(new Promise(() => {}), 20)).toBe("timeout");
  });

  it("does not fire once cancelled", async () => {
    let fired = false;
    ioTimeout(5, () => (fired = true)).cancel();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toBe(false);
  });
});
