import { ValidationError } from "../lib/errors";
import { parseInput } from "../lib/validation";
import { PROMPT_LIMITS } from "./prompt-limits";
import { createPromptBody, createVersionBody, labelName, updatePromptMetadataBody, versionSelector } from "./prompt-schemas";

function issuesOf(schema: Parameters<typeof parseInput>[0], input: unknown) {
  try {
    parseInput(schema, input);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  return [];
}

describe("version content schema", () => {
  it("makes a variable required unless it has a default", () => {
    const parsed = parseInput(createVersionBody, {
      template: "{{a}} {{b}}",
      variables: [
        { name: "a", type: "string" },
        { name: "b", type: "number", default: 2 },
      ],
    });

    expect(parsed.variables).toEqual([
      { name: "a", type: "string", required: true },
      { name: "b", type: "number", required: false, default: 2 },
    ]);
  });

  it("rejects a placeholder whose variable is not declared, naming it", () => {
    expect(issuesOf(createVersionBody, { template: "Hello {{who}}", variables: [] })).toEqual([{ path: "template", message: "Uses undeclared variable 'who': declare it in variables" }]);
  });

  it("checks the system template too", () => {
    expect(issuesOf(createVersionBody, { template: "x", systemTemplate: "{{role}} {{", variables: [] }).map((i) => i.path)).toEqual(["systemTemplate", "systemTemplate"]);
  });

  it("rejects malformed placeholders at save time", () => {
    expect(issuesOf(createVersionBody, { template: "{{ not a name }}" })[0]?.message).toMatch(/Invalid placeholder/);
  });

  it("rejects duplicate variables and bad names", () => {
    const issues = issuesOf(createVersionBody, { template: "x", variables: [{ name: "a", type: "string" }, { name: "a", type: "string" }, { name: "1x", type: "string" }] });

    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(["variables.1.name", "variables.2.name"]));
  });

  it.each([
    [{ name: "a", type: "string", default: 3 }, "variables.0.default", /Must be a string/],
    [{ name: "a", type: "number", default: "3" }, "variables.0.default", /finite number/],
    [{ name: "a", type: "boolean", default: "yes" }, "variables.0.default", /boolean/],
    [{ name: "a", type: "enum" }, "variables.0.allowedValues", /needs allowedValues/],
    [{ name: "a", type: "enum", allowedValues: ["x"], default: "y" }, "variables.0.default", /one of "x"/],
    [{ name: "a", type: "string", allowedValues: ["x", 1] }, "variables.0.allowedValues.1", /string/],
    [{ name: "a", type: "number", allowedValues: [1, 1] }, "variables.0.allowedValues.1", /Duplicate/],
    [{ name: "a", type: "boolean", allowedValues: [1] }, "variables.0.allowedValues", /not supported/],
    [{ name: "a", type: "number", maxLength: 3 }, "variables.0.maxLength", /only supported for type string/],
    [{ name: "a", type: "string", maxLength: 2, default: "abc" }, "variables.0.default", /at most 2 characters/],
    [{ name: "a", type: "string", required: true, default: "x" }, "variables.0.default", /required variable cannot have a default/],
    [{ name: "a", type: "string", required: false }, "variables.0.default", /optional variable needs a default/],
    [{ name: "a", type: "string", colour: "red" }, "variables.0", /Unrecognized key/],
    [{ name: "constructor", type: "string" }, "variables.0.name", /reserved/],
  ])("rejects the inconsistent variable %j", (variable, path, message) => {
    const issues = issuesOf(createVersionBody, { template: "x", variables: [variable] });

    expect(issues).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
  });

  it("enforces the template size and variable count limits", () => {
    const tooBig = "x".repeat(PROMPT_LIMITS.templateBytes + 1);
    const tooMany = Array.from({ length: PROMPT_LIMITS.variables + 1 }, (_, i) => ({ name: `v${i}`, type: "string", default: "" }));

    expect(issuesOf(createVersionBody, { template: tooBig })[0]).toEqual({ path: "template", message: "Must be at most 32768 bytes" });
    expect(issuesOf(createVersionBody, { template: "x", variables: tooMany })[0]?.path).toBe("variables");
  });

  it("accepts a json default that nests arrays", () => {
    expect(parseInput(createVersionBody, { template: "{{j}}", variables: [{ name: "j", type: "json", default: [[1], { a: [2] }] }] }).variables[0]?.default).toEqual([[1], { a: [2] }]);
  });
});

describe("prompt metadata schema", () => {
  it("lowercases and de-duplicates tags and caps them at 20", () => {
    expect(parseInput(createPromptBody, { name: "n", template: "t", tags: ["Support", "support", "FAQ"] }).tags).toEqual(["support", "faq"]);
    expect(issuesOf(createPromptBody, { name: "n", template: "t", tags: Array.from({ length: 21 }, (_, i) => `t${i}`) })[0]?.path).toBe("tags");
  });

  it("requires at least one field in a metadata update", () => {
    expect(issuesOf(updatePromptMetadataBody, {})[0]?.message).toMatch(/at least one/);
  });

  it("rejects unknown fields", () => {
    expect(issuesOf(createPromptBody, { name: "n", template: "t", owner: "x" })[0]?.path).toBe("(root)");
  });
});

describe("labels and selectors", () => {
  it.each(["production", "staging", "a", "v2-canary", "exp_1"])("accepts the label %p", (label) => {
    expect(parseInput(labelName, label)).toBe(label);
  });

  it.each(["Production", "-x", "", "12", "latest", "a".repeat(51), "a b", "a/b"])("rejects the label %p", (label) => {
    expect(() => parseInput(labelName, label)).toThrow(ValidationError);
  });

  it("refuses a selector with both a version and a label", () => {
    expect(issuesOf(versionSelector, { version: 1, label: "production" })[0]?.path).toBe("label");
  });
});
