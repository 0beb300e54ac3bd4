import { createSingleFlight } from "./single-flight";

describe("single flight", () => {
  it("runs concurrent work for one key once and shares the result", async () => {
    const flights = createSingleFlight();
    let runs = 0;
    const work = async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return runs;
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => flights.run("k", work)));
    expect(runs).toBe(1);
    expect(new Set(results)).toEqual(new Set([1]));
    expect(flights.size()).toBe(0);
  });

  it("shares a failure, then lets the next call try again", async () => {
    const flights = createSingleFlight();
    const failing = () => Promise.reject(new Error("boom"));
    await expect(Promise.all([flights.run("k", failing), flights.run("k", failing)])).rejects.toThrow("boom");
    await expect(flights.run("k", async () => "ok")).resolves.toBe("ok");
  });
});
