import { ValidationError } from "./errors";
import { decodeCursor, encodeCursor, isDocumentId } from "./pagination";

const forge = (values: unknown) => Buffer.from(JSON.stringify(values), "utf8").toString("base64url");

describe("decodeCursor", () => {
  it("returns the values of a cursor it encoded", () => {
    const cursor = encodeCursor([Date.UTC(2025, 0, 2), "AbC_12-x"]);
    expect(decodeCursor(cursor, 2)).toEqual([Date.UTC(2025, 0, 2), "AbC_12-x"]);
    expect(decodeCursor(encodeCursor([0]), 1)).toEqual([0]);
    expect(decodeCursor(encodeCursor(["x".repeat(1500)]), 1)).toEqual(["x".repeat(1500)]);
  });

  const forged: Record<string, string> = {
    "a time past year 9999": forge([253_402_300_800_000, "doc"]),
    "a time before year 1": forge([-62_135_596_800_001, "doc"]),
    "a time too large for a safe integer": forge([1e20, "doc"]),
    "a fractional time": forge([1.5, "doc"]),
    "an id with a slash": forge([0, "a/b"]),
    "an empty id": forge([0, ""]),
    "the id ..": forge([0, ".."]),
    "the id .": forge([0, "."]),
    "a reserved __id__": forge([0, "__name__"]),
    "an id longer than 1500 bytes": forge([0, "é".repeat(751)]),
    "an id with a lone surrogate": forge([0, "a\ud800"]),
    "the wrong number of parts": forge([0]),
    "an object part": forge([0, { id: "x" }]),
    "not JSON": Buffer.from("{not json", "utf8").toString("base64url"),
    "not an array": forge({ 0: 0, 1: "x" }),
  };
  for (const [name, cursor] of Object.entries(forged)) {
    it(`refuses ${name} as invalid-argument`, () => {
      expect(() => decodeCursor(cursor, 2)).toThrow(ValidationError);
      expect(() => decodeCursor(cursor, 2)).toThrow(/Invalid cursor/);
    });
  }
});

describe("isDocumentId", () => {
  it("follows Firestore's document id rules", () => {
    expect(["a", "__a", "a__", "___", "..a", "x".repeat(1500)].every(isDocumentId)).toBe(true);
    expect(["", ".", "..", "a/b", "__x__", "____", "x".repeat(1501)].some(isDocumentId)).toBe(false);
  });
});
