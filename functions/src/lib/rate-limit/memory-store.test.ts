import { createMemoryStore } from "./memory-store";

const base = { idKey: "user:a", bucket: "api", cost: 1, mode: "check" as const, challenge: { violations: 0, windowMs: 1, ttlMs: 1 } };

describe("createMemoryStore", () => {
  it("admits up to the limit per window and refuses beyond it", async () => {
    const store = createMemoryStore({ maxEntries: 10 });
    const windows = [{ limit: 3, windowMs: 1000 }];
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await store.check({ ...base, windows, now: 10_000 + i })).status);
    expect(results).toEqual(["allowed", "allowed", "allowed", "limited", "limited"]);
    expect((await store.check({ ...base, windows, now: 12_000 })).status).toBe("allowed");
  });

  it("keeps at most maxEntries identities", async () => {
    const store = createMemoryStore({ maxEntries: 2 });
    for (const id of ["a", "b", "c", "d"]) await store.check({ ...base, idKey: id, windows: [{ limit: 1, windowMs: 1000 }], now: 1 });
    expect(store.size).toBe(2);
  });
});
