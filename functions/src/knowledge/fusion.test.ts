import { fuse, type Candidate } from "./fusion";
import { bm25Scores, distinctTerms, stem } from "./lexical";

const candidate = (key: string, vectorScore: number | null, bm25: number): Candidate<string> => ({ item: key, key, vectorScore, bm25 });

describe("fuse (reciprocal rank fusion)", () => {
  it("ranks a candidate first in both lists first, with score 1", () => {
    const fused = fuse([candidate("b", 0.5, 1), candidate("a", 0.9, 5), candidate("c", 0.7, 0)]);
    expect(fused[0]).toMatchObject({ key: "a", score: 1, vectorScore: 0.9, lexicalScore: 1 });
  });

  it("lifts a candidate that both rankings agree on above one only a single ranking likes", () => {
    const fused = fuse([candidate("vectorOnly", 0.95, 0), candidate("both", 0.8, 3), candidate("lexicalOnly", null, 4)]);
    expect(fused.map((f) => f.key)).toEqual(["both", "lexicalOnly", "vectorOnly"]);
  });

  it("keeps scores within (0, 1] and orders deterministically on ties", () => {
    const fused = fuse([candidate("y", 0.5, 0), candidate("x", 0.5, 0)]);
    expect(fused.map((f) => f.key)).toEqual(["x", "y"]);
    for (const f of fused) {
      expect(f.score).toBeGreaterThan(0);
      expect(f.score).toBeLessThanOrEqual(1);
    }
  });

  it("blends normalised scores when asked to", () => {
    const fused = fuse([candidate("a", 0.2, 10), candidate("b", 0.9, 0)], "blend");
    expect(fused.map((f) => [f.key, f.score])).toEqual([
      ["a", 0.6],
      ["b", 0.45],
    ]);
  });
});

describe("lexical scoring", () => {
  it("stems plurals and verb forms to one term", () => {
    expect(["embeddings", "queries", "indexing", "indexed"].map(stem)).toEqual(["embedding", "query", "index", "index"]);
  });

  it("keeps distinct non-stopword terms, most frequent first", () => {
    expect(distinctTerms("The cat and the cats sat on the mat")).toEqual(["cat", "mat", "sat"]);
  });

  it("scores documents with rarer matching terms higher (BM25)", () => {
    const scores = bm25Scores("vector index", ["the vector index is built nightly", "a vector of numbers", "cooking pasta"]);
    expect(scores[0]).toBeGreaterThan(scores[1] ?? 0);
    expect(scores[1]).toBeGreaterThan(0);
    expect(scores[2]).toBe(0);
  });
});
