import { contentWords } from "./local-text";

/** Dimension of local embeddings; the Firestore vector index is declared with the same. */
export const LOCAL_EMBEDDING_DIMENSIONS = 256;
export const LOCAL_EMBEDDING_MODEL = "local-hash-256";

/** Character n-gram sizes taken from each word (with `<` and `>` marking its edges). */
const NGRAM_SIZES = [3, 4] as const;
/** Weight of a word feature and of each of its character n-grams. */
const WORD_WEIGHT = 1;
const NGRAM_WEIGHT = 0.35;

/**
 * A real, cheap text embedding without a model: word unigrams and character n-grams, hashed with
 * signed feature hashing into a fixed dimension, sublinear term frequency, L2-normalised.
 * Texts sharing words (or word pieces: "embedding" and "embeddings") land close in cosine.
 * Deterministic across runs and machines; an empty text embeds to the zero vector.
 */
export function embedText(text: string, dimensions = LOCAL_EMBEDDING_DIMENSIONS): number[] {
  const counts = new Map<string, { tf: number; weight: number }>();
  const add = (feature: string, weight: number) => {
    const seen = counts.get(feature);
    if (seen) seen.tf += 1;
    else counts.set(feature, { tf: 1, weight });
  };
  for (const word of contentWords(text)) {
    add(`w:${word}`, WORD_WEIGHT);
    const marked = `<${word}>`;
    for (const n of NGRAM_SIZES) {
      for (let i = 0; i + n <= marked.length; i++) add(`c:${marked.slice(i, i + n)}`, NGRAM_WEIGHT);
    }
  }

  const vector = new Array<number>(dimensions).fill(0);
  for (const [feature, { tf, weight }] of counts) {
    const hash = hash32(feature);
    const index = hash % dimensions;
    // The sign comes from a bit the index does not use, so collisions cancel out on average.
    const sign = (hash >>> 31) & 1 ? -1 : 1;
    vector[index] = (vector[index] ?? 0) + sign * weight * (1 + Math.log(tf));
  }
  return l2Normalize(vector);
}

export function l2Normalize(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm === 0 ? vector : vector.map((x) => x / norm);
}

/** Cosine similarity; 0 when either vector is zero. */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** FNV-1a over UTF-16 code units, finished with murmur3's avalanche so every bit mixes. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
