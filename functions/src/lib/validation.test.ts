import { z } from "zod";
import { PayloadTooLargeError, ValidationError } from "./errors";
import { parseInput } from "./validation";

const schema = z.strictObject({ name: z.string().min(1), tags: z.array(z.string()).max(2).optional() });

describe("parseInput", () => {
  it("returns the parsed value for valid input", () => {
    expect(parseInput(schema, { name: "a", tags: ["x"] })).toEqual({ name: "a", tags: ["x"] });
  });

  it("names the offending field in the message and in the issues", () => {
    try {
      parseInput(schema, { name: "a", tags: ["x", "y", "z"] });
      throw new Error("expected a ValidationError");
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(/^Invalid tags:/);
      expect((error as ValidationError).issues[0]?.path).toBe("tags");
    }
  });

  it("rejects unknown fields", () => {
    expect(() => parseInput(schema, { name: "a", admin: true })).toThrow(ValidationError);
  });

  it("rejects prototype-polluting keys at any depth", () => {
    const input = JSON.parse('{"name":"a","tags":[],"nested":{"__proto__":{"x":1}}}');
    expect(() => parseInput(z.any(), input)).toThrow(/forbidden key/);
  });

  it("rejects a __proto__ key that a decoder turned into the object's prototype, naming it", () => {
    const decoded: Record<string, unknown> = { name: "a" };
    decoded["__proto__"] = { x: 1 };
    expect(() => parseInput(z.any(), { data: decoded })).toThrow("Invalid data.__proto__: forbidden key.");
    expect(() => parseInput(z.any(), { when: new Date(0), list: [1] })).not.toThrow();
  });

  it("rejects oversized input before parsing it", () => {
    expect(() => parseInput(schema, { name: "x".repeat(2000) }, { maxBytes: 1000 })).toThrow(PayloadTooLargeError);
  });
});
