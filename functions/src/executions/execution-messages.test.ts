import type { RetrievedChunk } from "../knowledge/knowledge-types";
import { EXECUTION_LIMITS } from "./execution-limits";
import { buildMessages, citationsFor, citedNumbers, CONTEXT_INSTRUCTIONS, estimateCostUsd, retrievalQueryFrom, snippetOf } from "./execution-messages";

function chunk(n: number, overrides: Partial<RetrievedChunk> = {}): RetrievedChunk {
  return {
    documentId: `doc-${n}`,
    documentTitle: `Title ${n}`,
    chunkId: `chunk-${n}`,
    chunkIndex: n,
    text: `Passage number ${n}.`,
    score: 1 / (n + 1),
    vectorScore: 0.5,
    lexicalScore: 0.5,
    ...overrides,
  };
}

describe("building the messages of a run", () => {
  it("sends only the user message when there is no system template and no context", () => {
    expect(buildMessages({ user: "Hello?" }, [])).toEqual([{ role: "user", content: "Hello?" }]);
  });

  it("puts the system message first, then the numbered context, then the user message", () => {
    const messages = buildMessages({ system: "Be brief.", user: "What is it?" }, [chunk(1), chunk(2)]);

    expect(messages.map((m) => m.role)).toEqual(["system", "system", "user"]);
    expect(messages[0]?.content).toBe("Be brief.");
    expect(messages[1]?.content).toBe(`${CONTEXT_INSTRUCTIONS}\n\nSources:\n\n[1] Title 1\nPassage number 1.\n\n[2] Title 2\nPassage number 2.`);
    expect(messages[2]).toEqual({ role: "user", content: "What is it?" });
  });

  it("drops an empty rendered system message", () => {
    expect(buildMessages({ system: "  ", user: "Hi" }, [])).toEqual([{ role: "user", content: "Hi" }]);
  });

  it("keeps titles on one line and names untitled documents", () => {
    const messages = buildMessages({ user: "q" }, [chunk(1, { documentTitle: "Line one\nline two" }), chunk(2, { documentTitle: "" })]);

    expect(messages[0]?.content).toContain("[1] Line one line two\n");
    expect(messages[0]?.content).toContain("[2] Untitled\n");
  });
});

describe("citations", () => {
  it("finds [n], [n][m] and [n, m] references", () => {
    expect([...citedNumbers("See [1] and [2][3], also [4, 5]; not [x] or [ 6 ]")].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("lists every passage in context order with its document, chunk, title, score and snippet, marking those the output cites", () => {
    const citations = citationsFor([chunk(1, { score: 0.87654321 }), chunk(2)], "Answer [2].");

    expect(citations).toEqual([
      { index: 1, documentId: "doc-1", chunkId: "chunk-1", title: "Title 1", score: 0.876543, snippet: "Passage number 1.", cited: false },
      { index: 2, documentId: "doc-2", chunkId: "chunk-2", title: "Title 2", score: 0.333333, snippet: "Passage number 2.", cited: true },
    ]);
  });

  it("ignores references to numbers that are not sources", () => {
    expect(citationsFor([chunk(1)], "[7]")[0]?.cited).toBe(false);
  });

  it("cuts long snippets at a word, with an ellipsis, within the limit", () => {
    const text = `${"word ".repeat(200)}end`;
    const snippet = snippetOf(text);

    expect(snippet.length).toBeLessThanOrEqual(EXECUTION_LIMITS.snippetChars);
    expect(snippet.endsWith("word…")).toBe(true);
  });

  it("never leaves half a surrogate pair in a snippet", () => {
    const snippet = snippetOf("😀".repeat(400), 10);

    expect(snippet).toBe(`${"😀".repeat(4)}…`);
  });
});

describe("retrieval query", () => {
  it("uses the explicit query when given", () => {
    expect(retrievalQueryFrom({ user: "rendered" }, "explicit")).toBe("explicit");
  });

  it("falls back to the rendered user message, whitespace collapsed and cut to the query limit", () => {
    expect(retrievalQueryFrom({ user: "  a\n\nb  " }, undefined)).toBe("a b");
    expect(retrievalQueryFrom({ user: "x".repeat(5000) }, undefined)).toHaveLength(EXECUTION_LIMITS.retrievalQueryChars);
  });
});

describe("cost estimate", () => {
  it("prices input and output tokens per thousand, rounded to a millionth of a dollar", () => {
    expect(estimateCostUsd({ inputPer1k: 0.00015, outputPer1k: 0.0006 }, { inputTokens: 1234, outputTokens: 567 })).toBe(0.000525);
    expect(estimateCostUsd({ inputPer1k: 0.5, outputPer1k: 1.5 }, { inputTokens: 2000, outputTokens: 1000 })).toBe(2.5);
  });

  it("is zero for a free provider", () => {
    expect(estimateCostUsd({ inputPer1k: 0, outputPer1k: 0 }, { inputTokens: 10_000, outputTokens: 10_000 })).toBe(0);
  });
});
