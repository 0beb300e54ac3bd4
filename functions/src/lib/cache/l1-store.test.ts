import { createL1Store, type L1Entry } from "./l1-store";

const entry = (namespace: string, bytes = 10, tags: string[] = []): L1Entry => ({ namespace, tags, value: { bytes }, expiresAt: 1e15, confirmedAt: 0, bytes });

describe("L1 store", () => {
  it("is bounded by entries and counts evictions per namespace", () => {
    const evicted: string[] = [];
    const l1 = createL1Store({ maxEntries: 2, onEvict: (ns) => evicted.push(ns) });
    l1.set("a:1", entry("a"));
    l1.set("b:1", entry("b"));
    l1.get("a:1");
    l1.set("c:1", entry("c"));
    expect(l1.get("b:1")).toBeUndefined();
    expect(l1.get("a:1")?.namespace).toBe("a");
    expect(evicted).toEqual(["b"]);
  });

  it("is bounded by bytes and skips a value larger than the whole bound", () => {
    const l1 = createL1Store({ maxBytes: 100 });
    l1.set("a:1", entry("a", 60));
    l1.set("a:2", entry("a", 60));
    expect(l1.get("a:1")).toBeUndefined();
    expect(l1.stats()).toEqual({ entries: 1, bytes: 60 });
    l1.set("a:3", entry("a", 101));
    expect(l1.get("a:3")).toBeUndefined();
    expect(l1.get("a:2")?.value).toEqual({ bytes: 60 });
  });

  it("drops entries by key, tag and namespace", () => {
    const l1 = createL1Store();
    l1.set("users:1", entry("users", 10, ["user:1"]));
    l1.set("members:w1:1", entry("members", 10, ["workspace:w1", "user:1"]));
    l1.set("members:w2:2", entry("members", 10, ["workspace:w2"]));
    l1.set("flags:x", entry("flags"));
    l1.invalidate({ tags: ["user:1"] });
    expect(l1.get("users:1")).toBeUndefined();
    expect(l1.get("members:w1:1")).toBeUndefined();
    expect(l1.get("members:w2:2")?.tags).toEqual(["workspace:w2"]);
    l1.invalidate({ namespaces: ["members"], keys: [{ namespace: "flags", id: "x" }] });
    expect(l1.stats().entries).toBe(0);
  });
});
