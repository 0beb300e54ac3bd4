import { rewriteScript, ScriptShaMap, sha1Hex } from "../src/script-rewrite";

describe("rewriteScript", () => {
  it("turns an Upstash-only shebang into a comment line, keeping line numbers", () => {
    const script = "#!lua flags=allow-key-locking\nlocal x = 1\nreturn x";
    expect(rewriteScript(script)).toBe("--\nlocal x = 1\nreturn x");
  });

  it("keeps the flags Redis knows", () => {
    expect(rewriteScript("#!lua flags=allow-key-locking,no-writes\nreturn 1")).toBe("#!lua flags=no-writes\nreturn 1");
    expect(rewriteScript("#!lua flags=allow-key-locking\r\nreturn 1")).toBe("--\r\nreturn 1");
  });

  it("leaves scripts Redis accepts alone", () => {
    expect(rewriteScript("return 1")).toBeNull();
    expect(rewriteScript("#!lua\nreturn 1")).toBeNull();
    expect(rewriteScript("#!lua flags=no-writes,allow-stale\nreturn 1")).toBeNull();
  });
});

describe("ScriptShaMap", () => {
  it("maps the original SHA1 to the rewritten one, and passes unknown SHA1s through", () => {
    const map = new ScriptShaMap();
    const original = "#!lua flags=allow-key-locking\nreturn 1";
    const { script, originalSha } = map.prepare(original);
    expect(originalSha).toBe(sha1Hex(original));
    expect(map.translate(originalSha)).toBe(sha1Hex(script));
    expect(map.translate(originalSha.toUpperCase())).toBe(sha1Hex(script));
    expect(map.translate("0".repeat(40))).toBe("0".repeat(40));
    expect(map.prepare("return 2")).toEqual({ script: "return 2", originalSha: sha1Hex("return 2") });
  });
});
