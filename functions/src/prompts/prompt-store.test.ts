import { labelTarget } from "./prompt-store";

describe("labelTarget", () => {
  const labels = { production: 3, staging: 4 };

  it("finds the version a label points at", () => {
    expect(labelTarget(labels, "production")).toBe(3);
    expect(labelTarget(labels, "canary")).toBeUndefined();
  });

  it("never resolves a label through Object.prototype", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"]) {
      expect(labelTarget(labels, name)).toBeUndefined();
    }
  });

  it("finds a label that really is named like a prototype member", () => {
    expect(labelTarget({ constructor: 2 } as Record<string, number>, "constructor")).toBe(2);
  });
});
