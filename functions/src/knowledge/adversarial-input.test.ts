import { performance } from "node:perf_hooks";
import { PayloadTooLargeError } from "../lib/errors";
import { sentences } from "../providers/local-text";
import { atxHeading, chunkMarkdown, contextualText } from "./chunker";
import { extractText, parseUploadPath } from "./document-files";
import { bm25Scores, distinctTerms, stem, termSequence } from "./lexical";

/**
 * Every function here runs over text a user controls. Each must stay linear: a 1 MB input gets
 * a budget far above what a linear pass needs on a loaded 2-core machine and far below what a
 * backtracking pattern takes (the old heading pattern needed 25 s for 6 KB).
 */
const BUDGET_MS = 3000;
const MB = 1_000_000;

const fill = (unit: string, bytes = MB) => unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);

const ADVERSARIAL: Record<string, string> = {
  "spaces then a letter": `${fill(" ")}x`,
  "a heading padded with spaces": `# a${fill(" ")}x`,
  "a heading padded with spaces and hashes": `# a${fill(" #")}x`,
  "a short heading padded with spaces (6 KB)": `# a${" ".repeat(6000)}x`,
  "one huge run of #": fill("#"),
  "many headings": fill("# heading\n## sub heading\n"),
  "tabs and newlines": fill("\t \n"),
  "open braces": fill("{{"),
  "escaped open braces": fill("\\{{"),
  "unterminated variables": fill("{{ name "),
  "nested brackets": `${fill("[[(")}${fill(")]]", 1000)}`,
  "one huge line of words": fill("lorem ipsum dolor. "),
  "one huge word": fill("x"),
  "unicode with combining marks": fill("e\u0301\u0300 \u{1F600}\u00A0\u200B"),
  "fences that never close": fill("```\n# not a heading\n"),
};

function timed<T>(run: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = run();
  return { result, ms: performance.now() - started };
}

/** Runs `fn`, accepting a typed size refusal as an answer: refusing quickly is fine. */
function bounded(fn: (text: string) => unknown): (text: string) => unknown {
  return (text) => {
    try {
      return fn(text);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) return error;
      throw error;
    }
  };
}

const FUNCTIONS: Record<string, (text: string) => unknown> = {
  chunkMarkdown: bounded((text) => chunkMarkdown(text, { size: 4000, overlap: 150 })),
  "chunkMarkdown (small chunks)": bounded((text) => chunkMarkdown(text, { size: 200, overlap: 50 })),
  atxHeading: (text) => text.split("\n").map(atxHeading),
  termSequence,
  distinctTerms: (text) => distinctTerms(text),
  stem,
  bm25Scores: (text) => bm25Scores(text.slice(0, 2000), [text, "plain words"]),
  parseUploadPath: (text) => parseUploadPath(`workspaces/w/documents/d/${text}`),
  sentences,
};

describe("knowledge text processing under adversarial input", () => {
  for (const [fnName, fn] of Object.entries(FUNCTIONS)) {
    for (const [inputName, input] of Object.entries(ADVERSARIAL)) {
      it(`${fnName} handles ${inputName} within ${BUDGET_MS} ms`, () => {
        expect(timed(() => fn(input)).ms).toBeLessThan(BUDGET_MS);
      });
    }
  }

  it("extractText decodes 1 MB of adversarial text within the budget", async () => {
    for (const input of Object.values(ADVERSARIAL)) {
      const started = performance.now();
      await extractText(Buffer.from(`\uFEFF${input.slice(0, 900_000)}`), "text/markdown").catch((error: unknown) => {
        if (!(error instanceof PayloadTooLargeError)) throw error;
      });
      expect(performance.now() - started).toBeLessThan(BUDGET_MS);
    }
  });

  it("still parses ordinary Markdown headings the same way", () => {
    expect(atxHeading("## Install ##")).toEqual({ level: 2, title: "Install" });
    expect(atxHeading("   # Title #with hash")).toEqual({ level: 1, title: "Title #with hash" });
    expect(atxHeading("#\tTabbed   ")).toEqual({ level: 1, title: "Tabbed" });
    expect(atxHeading("# ###")).toEqual({ level: 1, title: "" });
    expect(atxHeading("    # indented code")).toBeNull();
    expect(atxHeading("####### seven")).toBeNull();
    expect(atxHeading("#hashtag")).toBeNull();
    expect(atxHeading(`# ${"long ".repeat(200)}`)).toBeNull();

    const chunks = chunkMarkdown("# Guide\nIntro.\n\n## Install ##\nRun it.", { size: 200, overlap: 0 });
    expect(chunks.map((c) => [c.headingPath, c.text])).toEqual([
      [["Guide"], "Intro."],
      [["Guide", "Install"], "Run it."],
    ]);
    expect(contextualText(chunks[1]!)).toBe("Guide > Install\nRun it.");
  });

  it("still splits ordinary text into terms and sentences", () => {
    expect(termSequence("The cats were running quickly")).toEqual(["cat", "runn", "quickly"]);
    expect(sentences("One. Two!\n\nThree")).toEqual(["One.", "Two!", "Three"]);
  });
});
