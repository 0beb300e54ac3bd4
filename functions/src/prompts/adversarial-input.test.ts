import { performance } from "node:perf_hooks";
import { PayloadTooLargeError, ValidationError } from "../lib/errors";
import { renderTemplate } from "./render";
import { normalizeWords, searchQueryWords, searchTokens } from "./search-tokens";
import { parseTemplate, placeholderNames } from "./template";
import { valueProblem, variableSpecIssues } from "./variable-spec";

/**
 * Templates, search text and variable values come from users. Each function must stay linear on
 * 1 MB inputs: the budget is far above a linear pass on a loaded machine and far below a
 * quadratic one (line/column lookups used to rescan the template for every issue: 29 s for 1 MB).
 */
const BUDGET_MS = 3000;
const MB = 1_000_000;

const fill = (unit: string, bytes = MB) => unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);

const ADVERSARIAL: Record<string, string> = {
  "spaces then a letter": `${fill(" ")}x`,
  "one huge run of #": fill("#"),
  "open braces": fill("{{"),
  "escaped open braces": fill("\\{{"),
  "backslashes before braces": `${fill("\\")}{{x}}`,
  "unterminated variables": fill("{{ name "),
  "invalid placeholders on many lines": fill("{{a b}}\n"),
  "placeholder padded with spaces": `{{${fill(" \t")}x }}`,
  "nested brackets": fill("{{[({"),
  "many valid placeholders": fill("{{a}} "),
  "unicode with combining marks": fill("e\u0301\u0300 \u{1F600}\u00A0\u200B"),
};

/** Typed refusals (too large, invalid) are answers too; only time matters here. */
function settle(run: () => unknown): number {
  const started = performance.now();
  try {
    run();
  } catch (error) {
    if (!(error instanceof ValidationError) && !(error instanceof PayloadTooLargeError)) throw error;
  }
  return performance.now() - started;
}

const FUNCTIONS: Record<string, (text: string) => unknown> = {
  parseTemplate: (text) => placeholderNames(parseTemplate(text)),
  renderTemplate: (text) => renderTemplate({ template: text, variables: [{ name: "a", type: "string", required: true }] }, { a: "value" }),
  "renderTemplate (value)": (text) => renderTemplate({ template: "{{a}}", variables: [{ name: "a", type: "string", required: true }] }, { a: text }),
  normalizeWords,
  searchTokens: (text) => searchTokens({ name: text, description: text, tags: [text] }),
  searchQueryWords,
  valueProblem: (text) => valueProblem({ name: "a", type: "string", required: true, allowedValues: ["x", text] }, text),
  variableSpecIssues: (text) => variableSpecIssues({ name: "a", type: "string", required: false, default: text, allowedValues: [text, text] }),
};

describe("prompt text processing under adversarial input", () => {
  for (const [fnName, fn] of Object.entries(FUNCTIONS)) {
    for (const [inputName, input] of Object.entries(ADVERSARIAL)) {
      it(`${fnName} handles ${inputName} within ${BUDGET_MS} ms`, () => {
        expect(settle(() => fn(input))).toBeLessThan(BUDGET_MS);
      });
    }
  }

  it("still reports each bad placeholder at its line and column", () => {
    expect(parseTemplate("ok {{a b}}\n  {{c d}} and {{e").issues.map(({ line, column }) => [line, column])).toEqual([
      [1, 4],
      [2, 3],
      [2, 15],
    ]);
  });

  it("still renders and indexes ordinary input", () => {
    expect(renderTemplate({ template: "Hi {{ name }}, \\{{literal}}", variables: [{ name: "name", type: "string", required: true }] }, { name: "Ada" })).toEqual({ user: "Hi Ada, {{literal}}" });
    expect(normalizeWords("Café au-lait")).toEqual(["cafe", "au", "lait"]);
  });
});
