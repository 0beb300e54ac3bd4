import { createAccessList } from "./access-lists";

describe("createAccessList", () => {
  const list = createAccessList({ ips: ["203.0.113.0/24", "198.51.100.7", "2001:db8::/32"], apiKeys: ["key-1"], users: ["u-1"] });

  it("matches single addresses and CIDR ranges of both families", () => {
    expect(list.matches(undefined, "203.0.113.200")).toBe(true);
    expect(list.matches(undefined, "198.51.100.7")).toBe(true);
    expect(list.matches(undefined, "2001:db8:ffff::1")).toBe(true);
    expect(list.matches(undefined, "::ffff:203.0.113.5")).toBe(true);
    expect(list.matches(undefined, "198.51.100.8")).toBe(false);
  });

  it("matches API keys and users by id, not other kinds with the same id", () => {
    expect(list.matches({ kind: "apiKey", id: "key-1" }, undefined)).toBe(true);
    expect(list.matches({ kind: "user", id: "u-1" }, undefined)).toBe(true);
    expect(list.matches({ kind: "user", id: "key-1" }, undefined)).toBe(false);
  });

  it("refuses invalid entries when built", () => {
    expect(() => createAccessList({ ips: ["10.0.0.0/33"], apiKeys: [], users: [] })).toThrow(/CIDR/);
    expect(() => createAccessList({ ips: ["example.com"], apiKeys: [], users: [] })).toThrow(/Invalid IP/);
  });
});
