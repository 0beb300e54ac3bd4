/** Unit tests of the pure building blocks (no network). */
import { comparePaths, compareSegments, compareUtf8, parseFieldPath } from "../src/paths";
import { documentSize } from "../src/size";
import type { Value } from "../src/types";
import { compareValues, valuesEqual } from "../src/values";

describe("values", () => {
  it("compares integers and doubles numerically, including large integers", () => {
    expect(compareValues({ integer_value: "2" }, { double_value: 1.5 })).toBe(1);
    expect(compareValues({ integer_value: "9007199254740993" }, { double_value: 9007199254740992 })).toBe(1);
    expect(valuesEqual({ double_value: -0 }, { integer_value: "0" })).toBe(true);
  });

  it("orders NaN before numbers and after booleans", () => {
    const nan: Value = { double_value: NaN };
    expect(compareValues(nan, { double_value: -Infinity })).toBe(-1);
    expect(compareValues({ boolean_value: true }, nan)).toBe(-1);
  });

  it("orders vectors after arrays and before maps, by dimension first", () => {
    const vec = (xs: number[]): Value => ({
      map_value: { fields: { __type__: { string_value: "__vector__" }, value: { array_value: { values: xs.map((double_value) => ({ double_value })) } } } },
    });
    expect(compareValues({ array_value: { values: [] } }, vec([1]))).toBe(-1);
    expect(compareValues(vec([9]), vec([1, 1]))).toBe(-1);
    expect(compareValues(vec([1]), { map_value: { fields: {} } })).toBe(-1);
  });
});

describe("paths", () => {
  it("parses backquoted field path segments", () => {
    expect(parseFieldPath("a.`b.c`.d")).toEqual(["a", "b.c", "d"]);
    expect(parseFieldPath("`a\\`b`")).toEqual(["a`b"]);
  });

  it("compares strings by UTF-8 bytes", () => {
    expect(compareUtf8("\uffff", "😀")).toBe(-1);
    expect(compareUtf8("Z", "a")).toBe(-1);
  });

  it("sorts numeric ids before string ids and paths segment-wise", () => {
    expect(compareSegments("__id-9223372036854775808__", "0")).toBe(-1);
    expect(comparePaths("a/b", "a-b/c")).toBe(-1);
  });
});

describe("document size", () => {
  it("follows the storage size rules (name + fields + 32)", () => {
    // name: "c/d" -> (1+1)+(1+1)+16 = 20; field "a" (2) + string "xy" (3) = 5; + 32
    expect(documentSize("c/d", { a: { string_value: "xy" } })).toBe(57);
  });
});
