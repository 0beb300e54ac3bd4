import { ValidationError } from "../lib/errors";
import { PROMPT_LIMITS } from "./prompt-limits";

/**
 * Firestore has no full-text search, so each prompt stores `searchTokens`: normalised words and
 * prefixes, queried with one `array-contains`. Words are lowercased, stripped of diacritics and
 * split on anything that is not a letter or digit.
 * - Name and tag words are indexed with every prefix (so `cust` finds "Customer support").
 * - Description words are indexed whole only (so a long description stays a small document).
 * - Words are cut to 20 characters; tokens are capped at 1000 per prompt, name first.
 */
export const TOKEN_MAX_LENGTH = 20;
export const MAX_SEARCH_TOKENS = 1000;

export function normalizeWords(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
    .map((word) => [...word].slice(0, TOKEN_MAX_LENGTH).join(""));
}

export function searchTokens(fields: { name: string; description: string; tags: readonly string[] }): string[] {
  const tokens = new Set<string>();
  const addPrefixes = (word: string) => {
    const chars = [...word];
    for (let end = 1; end <= chars.length; end += 1) tokens.add(chars.slice(0, end).join(""));
  };
  normalizeWords(fields.name).forEach(addPrefixes);
  fields.tags.flatMap(normalizeWords).forEach(addPrefixes);
  normalizeWords(fields.description).forEach((word) => tokens.add(word));
  return [...tokens].slice(0, MAX_SEARCH_TOKENS);
}

/**
 * The words of a search, each of which must match (AND). The longest word is the one sent to
 * Firestore (likely the most selective); the others are checked against the stored tokens.
 */
export function searchQueryWords(text: string): { primary: string; others: string[] } {
  const words = [...new Set(normalizeWords(text))].sort((a, b) => b.length - a.length);
  const [primary, ...others] = words;
  if (!primary) throw new ValidationError("Invalid search: must contain a letter or digit", [{ path: "search", message: "Must contain a letter or digit" }]);
  if (words.length > PROMPT_LIMITS.searchWords) {
    throw new ValidationError(`Invalid search: at most ${PROMPT_LIMITS.searchWords} words`, [{ path: "search", message: `At most ${PROMPT_LIMITS.searchWords} words` }]);
  }
  return { primary, others };
}
