import { embedText } from "../providers/local-embedding";
import { chunkMarkdown } from "./chunker";
import { rankChunks, type RankableChunk } from "./retrieval";

function chunksOf(documentId: string, text: string): RankableChunk[] {
  return chunkMarkdown(text, { size: 400, overlap: 0 }).map((c) => ({
    id: `${documentId}-${c.index}`,
    documentId,
    index: c.index,
    text: c.text,
    headingPath: c.headingPath,
    embedding: embedText([...c.headingPath, c.text].join("\n")),
  }));
}

describe("rankChunks", () => {
  const candidates = [
    ...chunksOf("pets", "# Cats\nCats sleep most of the day.\n\n# Dogs\nDogs need daily walks."),
    ...chunksOf("cars", "# Engines\nDiesel engines use compression ignition."),
  ];
  const titles = new Map([
    ["pets", "Pets"],
    ["cars", "Cars"],
  ]);

  it("ranks the chunk that answers the query first and cites it", () => {
    const hits = rankChunks("how often do dogs need walks", embedText("how often do dogs need walks"), candidates, { topK: 2, titles });
    expect(hits[0]).toMatchObject({ documentId: "pets", documentTitle: "Pets", chunkId: "pets-1", chunkIndex: 1, headingPath: ["Dogs"] });
    expect(hits).toHaveLength(2);
  });

  it("uses the heading path: a query naming only the heading still finds the chunk", () => {
    const hits = rankChunks("cats", embedText("cats"), candidates, { topK: 1, titles });
    expect(hits[0]?.chunkId).toBe("pets-0");
  });

  it("returns nothing for no candidates", () => {
    expect(rankChunks("anything", embedText("anything"), [], { topK: 5, titles })).toEqual([]);
  });
});
