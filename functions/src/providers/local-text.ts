/**
 * Text helpers of the local provider: one normalisation and tokenisation, shared by its
 * embeddings and its extractive generation, so both see the same words.
 */

/** Function words carry no topic; dropping them keeps hashed features about content. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a an and are as at be been being but by can could did do does doing for from had has have having he her hers him his how i if in into is it its " +
    "itself just me more most my no nor not of off on once only or other our ours out over own same she should so some such than that the their theirs " +
    "them then there these they this those through to too under until up very was we were what when where which while who whom why will with would you " +
    "your yours about above after again against all am any because before below between both down during each few further here s t don now also"
  ).split(" "),
);

/** NFKC, lowercase, diacritics removed: "Café" and "cafe" are one word. */
export function normalizeText(text: string): string {
  return text.normalize("NFKC").toLowerCase().normalize("NFKD").replace(/\p{M}+/gu, "");
}

/** Runs of letters and digits of the normalised text. */
export function words(text: string): string[] {
  return normalizeText(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Words that carry content: no stopwords, no single letters. */
export function contentWords(text: string): string[] {
  return words(text).filter((word) => word.length > 1 && !STOPWORDS.has(word));
}

/**
 * A deterministic token estimate (about four characters per token, as for English with common
 * BPE vocabularies); the local provider has no tokenizer and needs none.
 */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Sentences of a text: split at sentence punctuation followed by space, and at blank lines. */
export function sentences(text: string): string[] {
  return text
    .split(/\n\s*\n|(?<=[.!?])\s+(?=\S)|\n(?=\s*(?:[-*+]|\d+\.)\s)/)
    .map((s) => s.replace(/\s+/g, " ").trim())
    .filter((s) => s.length > 0);
}
