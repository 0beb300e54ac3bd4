import { createInvalidationOutbox } from "./invalidation-outbox";

describe("invalidation outbox", () => {
  it("merges pending invalidations and empties on take", () => {
    const outbox = createInvalidationOutbox();
    outbox.add({ keys: [{ namespace: "users", id: "1" }], tags: ["t"] });
    outbox.add({ keys: [{ namespace: "users", id: "1" }], namespaces: ["flags"] });
    expect(outbox.take()).toEqual({ keys: [{ namespace: "users", id: "1" }], tags: ["t"], namespaces: ["flags"] });
    expect(outbox.isEmpty()).toBe(true);
  });

  it("collapses too many keys into their namespaces", () => {
    const outbox = createInvalidationOutbox();
    outbox.add({ keys: Array.from({ length: 1001 }, (_, i) => ({ namespace: i % 2 ? "a" : "b", id: String(i) })) });
    const pending = outbox.take();
    expect(pending.keys).toEqual([]);
    expect(new Set(pending.namespaces)).toEqual(new Set(["a", "b"]));
  });
});
