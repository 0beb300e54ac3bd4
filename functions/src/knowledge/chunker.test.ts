import { chunkMarkdown, contextualText } from "./chunker";

const words = (n: number, word = "lorem") => Array.from({ length: n }, (_, i) => `${word}${i}`).join(" ");

describe("chunkMarkdown", () => {
  it("keeps the heading path of each section with its chunks", () => {
    const text = "# Guide\nIntro text.\n\n## Install\nRun the installer.\n\n### Linux\nUse apt.\n\n## Usage\nCall it.";
    const chunks = chunkMarkdown(text, { size: 200, overlap: 0 });
    expect(chunks.map((c) => [c.headingPath, c.text])).toEqual([
      [["Guide"], "Intro text."],
      [["Guide", "Install"], "Run the installer."],
      [["Guide", "Install", "Linux"], "Use apt."],
      [["Guide", "Usage"], "Call it."],
    ]);
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2, 3]);
  });

  it("does not treat # lines inside fenced code as headings", () => {
    const text = "# Script\n```sh\n# not a heading\necho hi\n```\nAfter.";
    const chunks = chunkMarkdown(text, { size: 200, overlap: 0 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.headingPath).toEqual(["Script"]);
    expect(chunks[0]?.text).toContain("# not a heading");
  });

  it("never makes a chunk longer than the size and never cuts a word", () => {
    const text = `# Long\n${words(400)}\n\n${words(300, "ipsum")}`;
    const chunks = chunkMarkdown(text, { size: 300, overlap: 60 });
    const vocabulary = new Set(text.split(/\s+/));
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(300);
      for (const word of chunk.text.split(/\s+/)) expect(vocabulary.has(word)).toBe(true);
    }
  });

  it("repeats about `overlap` characters of the previous chunk at the start of the next", () => {
    const chunks = chunkMarkdown(words(200), { size: 300, overlap: 80 });
    expect(chunks.length).toBeGreaterThan(2);
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1]?.text ?? "";
      const firstWords = (chunks[i]?.text ?? "").split(" ").slice(0, 3).join(" ");
      expect(previous).toContain(firstWords);
      const shared = previous.slice(previous.indexOf(firstWords));
      expect(shared.length).toBeLessThanOrEqual(80);
      expect(shared.length).toBeGreaterThan(40);
    }
  });

  it("makes no overlap when overlap is zero, and covers every word exactly once", () => {
    const text = words(300);
    const chunks = chunkMarkdown(text, { size: 250, overlap: 0 });
    expect(chunks.map((c) => c.text).join(" ")).toBe(text);
  });

  it("prefers paragraph boundaries to packing mid-paragraph", () => {
    const a = "Alpha ".repeat(30).trim();
    const b = "Beta ".repeat(30).trim();
    const chunks = chunkMarkdown(`${a}\n\n${b}`, { size: 200, overlap: 0 });
    expect(chunks.map((c) => c.text)).toEqual([a, b]);
  });

  it("cuts only a single word longer than the chunk size", () => {
    const blob = "x".repeat(450);
    const chunks = chunkMarkdown(`before ${blob} after`, { size: 200, overlap: 0 });
    expect(chunks.every((c) => c.text.length <= 200)).toBe(true);
    expect(chunks.map((c) => c.text).join("").replace(/\s/g, "")).toBe(`before${blob}after`);
  });

  it("refuses chunk sizes and overlaps outside the limits naming the field", () => {
    expect(() => chunkMarkdown("x", { size: 100, overlap: 0 })).toThrow(expect.objectContaining({ code: "invalid-argument", issues: [expect.objectContaining({ path: "chunking.size" })] }));
    expect(() => chunkMarkdown("x", { size: 5000, overlap: 0 })).toThrow(expect.objectContaining({ code: "invalid-argument" }));
    expect(() => chunkMarkdown("x", { size: 400, overlap: 200 })).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: "chunking.overlap" })] }));
  });

  it("refuses a document that would make more than 500 chunks", () => {
    const text = Array.from({ length: 501 }, (_, i) => `# H${i}\nbody ${i}`).join("\n");
    expect(() => chunkMarkdown(text, { size: 200, overlap: 0 })).toThrow(expect.objectContaining({ code: "payload-too-large" }));
  });

  it("returns no chunks for an empty or blank text", () => {
    expect(chunkMarkdown("  \n\n ", { size: 200, overlap: 0 })).toEqual([]);
  });

  it("prefixes the heading path to the text that is embedded", () => {
    expect(contextualText({ text: "Use apt.", headingPath: ["Guide", "Linux"] })).toBe("Guide > Linux\nUse apt.");
    expect(contextualText({ text: "Plain.", headingPath: [] })).toBe("Plain.");
  });
});
