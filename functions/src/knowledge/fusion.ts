/**
 * Combining the vector and the lexical ranking into one list.
 *
 * Reciprocal rank fusion (the default): `rrf(c) = Σ_r 1 / (k + rank_r(c))` over the rankings `r`
 * in which candidate `c` appears (rank from 1), `k = 60`. The reported score is `rrf(c)` divided
 * by its maximum `2 / (k + 1)` (first in both lists), so it lies in (0, 1].
 *
 * Blend (offered for comparison, see bench/retrieval.ts): `α·v(c) + (1 − α)·l(c)` with `v` the
 * cosine similarity clamped to [0, 1] and `l` the BM25 score divided by the best BM25 score of the
 * candidates; `α = 0.5`.
 */

export type FusionMethod = "rrf" | "blend";

export type Candidate<T> = {
  item: T;
  key: string;
  /** Cosine similarity, when the vector search returned this candidate. */
  vectorScore: number | null;
  /** BM25 score; 0 when no query term occurs. */
  bm25: number;
};

export type Fused<T> = { item: T; key: string; score: number; vectorScore: number; lexicalScore: number };

export const RRF_K = 60;
export const BLEND_ALPHA = 0.5;

export function fuse<T>(candidates: Candidate<T>[], method: FusionMethod = "rrf"): Fused<T>[] {
  const maxBm25 = Math.max(0, ...candidates.map((c) => c.bm25));
  const lexicalOf = (c: Candidate<T>) => (maxBm25 > 0 ? c.bm25 / maxBm25 : 0);
  const vectorOf = (c: Candidate<T>) => Math.max(0, Math.min(1, c.vectorScore ?? 0));

  let scored: { c: Candidate<T>; score: number }[];
  if (method === "blend") {
    scored = candidates.map((c) => ({ c, score: BLEND_ALPHA * vectorOf(c) + (1 - BLEND_ALPHA) * lexicalOf(c) }));
  } else {
    const vectorRank = rankOf(candidates.filter((c) => c.vectorScore !== null), (c) => c.vectorScore ?? 0);
    const lexicalRank = rankOf(candidates.filter((c) => c.bm25 > 0), (c) => c.bm25);
    const max = 2 / (RRF_K + 1);
    scored = candidates.map((c) => {
      const v = vectorRank.get(c.key);
      const l = lexicalRank.get(c.key);
      const rrf = (v ? 1 / (RRF_K + v) : 0) + (l ? 1 / (RRF_K + l) : 0);
      return { c, score: rrf / max };
    });
  }
  return scored
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || (a.c.key < b.c.key ? -1 : a.c.key > b.c.key ? 1 : 0))
    .map(({ c, score }) => ({ item: c.item, key: c.key, score: round(score), vectorScore: round(vectorOf(c)), lexicalScore: round(lexicalOf(c)) }));
}

/** 1-based ranks by descending score; ties broken by key so rankings are deterministic. */
function rankOf<T>(candidates: Candidate<T>[], score: (c: Candidate<T>) => number): Map<string, number> {
  const sorted = [...candidates].sort((a, b) => score(b) - score(a) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return new Map(sorted.map((c, i) => [c.key, i + 1]));
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
