import { PayloadTooLargeError, ValidationError } from "../lib/errors";
import { PROMPT_LIMITS } from "./prompt-limits";
import type { VariableSpec } from "./prompt-types";
import { renderTemplate } from "./render";

const v = (name: string, type: VariableSpec["type"], extra: Partial<VariableSpec> = {}): VariableSpec => ({ name, type, required: true, ...extra });

function renderError(call: () => unknown): ValidationError {
  try {
    call();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("renderTemplate", () => {
  it("replaces placeholders with and without surrounding spaces", () => {
    const version = { template: "Hi {{name}}, {{ name }} and {{\tname\t}}.", variables: [v("name", "string")] };

    expect(renderTemplate(version, { name: "Ada" })).toEqual({ user: "Hi Ada, Ada and Ada." });
  });

  it("renders the system template with the same variables when the version has one", () => {
    const version = { template: "Q: {{q}}", systemTemplate: "You answer in {{lang}}.", variables: [v("q", "string"), v("lang", "enum", { allowedValues: ["en", "fr"] })] };

    expect(renderTemplate(version, { q: "why?", lang: "fr" })).toEqual({ user: "Q: why?", system: "You answer in fr." });
  });

  it("names a missing required variable instead of rendering it empty", () => {
    const error = renderError(() => renderTemplate({ template: "{{a}}{{b}}", variables: [v("a", "string"), v("b", "string")] }, { a: "x" }));

    expect(error.code).toBe("invalid-argument");
    expect(error.message).toBe("Missing required variable 'b'");
    expect(error.issues).toEqual([{ path: "variables.b", message: "Missing required variable 'b'" }]);
  });

  it("treats an explicit undefined as missing", () => {
    expect(renderError(() => renderTemplate({ template: "{{a}}", variables: [v("a", "string")] }, { a: undefined })).issues[0]?.path).toBe("variables.a");
  });

  it("rejects variables the version does not declare", () => {
    const error = renderError(() => renderTemplate({ template: "{{a}}", variables: [v("a", "string")] }, { a: "x", nmae: "typo" }));

    expect(error.message).toMatch(/Unknown variable 'nmae'/);
    expect(error.issues.map((i) => i.path)).toEqual(["variables.nmae"]);
  });

  it("lists every problem at once", () => {
    const error = renderError(() => renderTemplate({ template: "{{a}}{{b}}", variables: [v("a", "number"), v("b", "string")] }, { a: "1", c: 1 }));

    expect(error.issues.map((i) => i.path).sort()).toEqual(["variables.a", "variables.b", "variables.c"]);
    expect(error.message).toMatch(/and 2 more/);
  });

  it.each([
    ["string", 5, /Must be a string, got number/],
    ["string", null, /Must be a string, got null/],
    ["number", "3", /Must be a finite number, got string/],
    ["number", Number.NaN, /Must be a finite number/],
    ["boolean", "true", /Must be a boolean, got string/],
    ["boolean", 1, /Must be a boolean, got number/],
    ["enum", { a: 1 }, /Must be one of "x", "y", got an object/],
  ] as const)("rejects an ill-typed %s value (%p) naming the variable", (type, value, message) => {
    const spec = v("val", type, type === "enum" ? { allowedValues: ["x", "y"] } : {});
    const error = renderError(() => renderTemplate({ template: "{{val}}", variables: [spec] }, { val: value }));

    expect(error.message).toMatch(/^Invalid variable 'val'/);
    expect(error.message).toMatch(message);
  });

  it("renders numbers, booleans and json values as JSON text", () => {
    const version = { template: "{{n}} {{b}} {{j}} {{nul}}", variables: [v("n", "number"), v("b", "boolean"), v("j", "json"), v("nul", "json")] };

    expect(renderTemplate(version, { n: 2.5, b: false, j: { k: [1, "two"] }, nul: null }).user).toBe('2.5 false {"k":[1,"two"]} null');
  });

  it("accepts only allowed values for enums, with no coercion between 1 and '1'", () => {
    const version = { template: "{{level}}", variables: [v("level", "enum", { allowedValues: [1, "high"] })] };

    expect(renderTemplate(version, { level: 1 }).user).toBe("1");
    expect(renderTemplate(version, { level: "high" }).user).toBe("high");
    expect(renderError(() => renderTemplate(version, { level: "1" })).message).toMatch(/Must be one of 1, "high"/);
  });

  it("applies allowed values and maxLength to strings", () => {
    const version = { template: "{{tone}} {{short}}", variables: [v("tone", "string", { allowedValues: ["formal", "casual"] }), v("short", "string", { maxLength: 3 })] };

    expect(renderTemplate(version, { tone: "casual", short: "abc" }).user).toBe("casual abc");
    expect(renderError(() => renderTemplate(version, { tone: "rude", short: "abc" })).issues[0]?.path).toBe("variables.tone");
    expect(renderError(() => renderTemplate(version, { tone: "formal", short: "abcd" })).message).toMatch(/at most 3 characters/);
  });

  it("refuses a string value over the size limit", () => {
    const version = { template: "{{s}}", variables: [v("s", "string")] };

    expect(renderError(() => renderTemplate(version, { s: "x".repeat(PROMPT_LIMITS.valueBytes + 1) })).message).toMatch(/at most 32768 bytes/);
  });

  it("uses the default of an optional variable that is not passed, and the passed value otherwise", () => {
    const version = { template: "[{{tone}}] [{{suffix}}] [{{n}}]", variables: [v("tone", "string", { required: false, default: "neutral" }), v("suffix", "string", { required: false, default: "" }), v("n", "number", { required: false, default: 0 })] };

    expect(renderTemplate(version, {}).user).toBe("[neutral] [] [0]");
    expect(renderTemplate(version, { tone: "warm", n: 3 }).user).toBe("[warm] [] [3]");
  });

  it("allows declared variables the template does not use", () => {
    expect(renderTemplate({ template: "static", variables: [v("unused", "string")] }, { unused: "x" }).user).toBe("static");
  });

  it("treats \\{{ as a literal {{ and \\\\{{ as a backslash before a placeholder", () => {
    const version = { template: "\\{{name}} \\\\{{name}} a\\b }} {", variables: [v("name", "string")] };

    expect(renderTemplate(version, { name: "Ada" }).user).toBe("{{name}} \\Ada a\\b }} {");
  });

  it("inserts values verbatim without rendering placeholders inside them", () => {
    const version = { template: "{{a}}", variables: [v("a", "string"), v("b", "string", { required: false, default: "B" })] };

    expect(renderTemplate(version, { a: "{{b}} \\{{b}}" }).user).toBe("{{b}} \\{{b}}");
  });

  it("does not read variables through the prototype chain", () => {
    const version = { template: "{{toString}}", variables: [v("toString", "string")] };

    expect(renderError(() => renderTemplate(version, {})).message).toBe("Missing required variable 'toString'");
  });

  it("refuses a render that would exceed the rendered size limit", () => {
    const version = { template: "{{s}}".repeat(20), variables: [v("s", "string")] };

    expect(() => renderTemplate(version, { s: "x".repeat(20_000) })).toThrow(PayloadTooLargeError);
  });
});
