import { contentWords } from "../providers/local-text";
import { KNOWLEDGE_LIMITS } from "./knowledge-limits";

/**
 * Lexical side of retrieval: normalised, stemmed terms (stored on each chunk as `terms` for
 * `array-contains-any` lookups) and Okapi BM25 over a candidate set.
 */

/** A light suffix stemmer: enough for plurals and common verb forms, predictable for users. */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith("sses")) return word.slice(0, -2);
  if (/[^s]s$/.test(word) && !word.endsWith("us") && !word.endsWith("is")) return word.slice(0, -1);
  if (word.endsWith("ing") && word.length > 5) return word.slice(0, -3);
  if (word.endsWith("ed") && word.length > 4) return word.slice(0, -2);
  return word;
}

/** Every term of a text in order, repeats included (for term frequencies). */
export function termSequence(text: string): string[] {
  return contentWords(text).map(stem);
}

/** Distinct terms of a text, most frequent first, capped for storage on a chunk. */
export function distinctTerms(text: string, max: number = KNOWLEDGE_LIMITS.maxTermsPerChunk): string[] {
  const counts = new Map<string, number>();
  for (const term of termSequence(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, max)
    .map(([term]) => term);
}

export type Bm25Options = {
  /** @default 1.2 */
  k1?: number;
  /** @default 0.75 */
  b?: number;
};

/**
 * BM25 scores of `documents` for `query`:
 * `score(d) = Σ_t idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))` with
 * `idf(t) = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))`, N, df and avgdl taken over `documents`.
 */
export function bm25Scores(query: string, documents: readonly string[], options: Bm25Options = {}): number[] {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  const queryTerms = [...new Set(termSequence(query))];
  if (queryTerms.length === 0 || documents.length === 0) return documents.map(() => 0);

  const docs = documents.map((text) => {
    const tf = new Map<string, number>();
    const sequence = termSequence(text);
    for (const term of sequence) tf.set(term, (tf.get(term) ?? 0) + 1);
    return { tf, length: sequence.length };
  });
  const n = docs.length;
  const avgdl = docs.reduce((sum, d) => sum + d.length, 0) / n || 1;
  const idf = new Map(
    queryTerms.map((term) => {
      const df = docs.filter((d) => d.tf.has(term)).length;
      return [term, Math.log(1 + (n - df + 0.5) / (df + 0.5))];
    }),
  );
  return docs.map((d) =>
    queryTerms.reduce((score, term) => {
      const tf = d.tf.get(term) ?? 0;
      if (tf === 0) return score;
      return score + (idf.get(term) ?? 0) * ((tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * d.length) / avgdl)));
    }, 0),
  );
}

/**
 * How many chunks to read for each query term when a workspace has more term matches than one
 * capped query can return: rarest terms first, each taking all its matches up to an equal share
 * of what is left of `budget`. Rare terms are the ones BM25 weighs most (high idf) and are read
 * completely; a term found in half the workspace shares the remainder. `df` maps each term to
 * its number of matching chunks (a `count()` per term).
 */
export function termBudgets(df: ReadonlyMap<string, number>, budget: number): Map<string, number> {
  const terms = [...df].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const limits = new Map<string, number>();
  let left = budget;
  terms.forEach(([term, count], i) => {
    const take = Math.max(0, Math.min(count, Math.floor(left / (terms.length - i))));
    limits.set(term, take);
    left -= take;
  });
  return limits;
}
