import { generateApiKey, hashApiKey, hashesEqual, parseApiKey } from "./api-key-format";

describe("API key format", () => {
  it("generates keys that parse back to their id and hash consistently", () => {
    const key = generateApiKey();

    expect(parseApiKey(key.plaintext)).toEqual({ keyId: key.keyId });
    expect(hashesEqual(hashApiKey(key.plaintext), key.hash)).toBe(true);
    expect(key.displayPrefix.length).toBeLessThan(key.plaintext.length - 30);
  });

  it("rejects anything not shaped like one of our keys", () => {
    for (const presented of ["", "rpl_", "Bearer x", `rpl_${"a".repeat(12)}_short`, `sk_${"a".repeat(12)}_${"b".repeat(43)}`]) {
      expect(parseApiKey(presented)).toBeNull();
    }
  });
});
