import { parseTemplate, placeholderNames } from "./template";

describe("parseTemplate", () => {
  it("splits text and placeholders and lists each name once in order of use", () => {
    const parsed = parseTemplate("A {{b}} c {{ a }} {{b}}");

    expect(parsed.issues).toEqual([]);
    expect(parsed.segments).toEqual([
      { kind: "text", text: "A " },
      { kind: "variable", name: "b" },
      { kind: "text", text: " c " },
      { kind: "variable", name: "a" },
      { kind: "text", text: " " },
      { kind: "variable", name: "b" },
    ]);
    expect(placeholderNames(parsed)).toEqual(["b", "a"]);
  });

  it("reports an unclosed {{ with its line and column", () => {
    expect(parseTemplate("line one\nsee {{oops").issues).toEqual([expect.objectContaining({ line: 2, column: 5, message: expect.stringMatching(/Unclosed/) })]);
  });

  it.each(["{{}}", "{{ }}", "{{a b}}", "{{1abc}}", "{{a.b}}", "{{{a}}}", "{{a\n}}", `{{${"x".repeat(65)}}}`])("rejects the malformed placeholder %p", (source) => {
    expect(parseTemplate(source).issues).toHaveLength(1);
    expect(parseTemplate(source).issues[0]?.message).toMatch(/Invalid placeholder/);
  });

  it("accepts escaped braces and lone closing braces as text", () => {
    const parsed = parseTemplate('JSON: \\{{"a": 1}} }}');

    expect(parsed.issues).toEqual([]);
    expect(parsed.segments).toEqual([{ kind: "text", text: 'JSON: {{"a": 1}} }}' }]);
  });

  it("halves backslash runs before {{ and treats an odd one as an escape", () => {
    expect(parseTemplate("\\\\\\{{x}}").segments).toEqual([{ kind: "text", text: "\\{{x}}" }]);
    expect(parseTemplate("\\\\\\\\{{x}}").segments).toEqual([{ kind: "text", text: "\\\\" }, { kind: "variable", name: "x" }]);
  });
});
