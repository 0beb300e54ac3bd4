import type { RetrievedChunk } from "../knowledge/knowledge-types";
import type { RenderedPrompt } from "../prompts/prompt-types";
import type { ChatMessage, TokenUsage } from "../providers/provider-types";
import { EXECUTION_LIMITS } from "./execution-limits";

/** A retrieved passage as stored on an execution; `index` is its number in the context block. */
export type Citation = {
  index: number;
  documentId: string;
  chunkId: string;
  title: string;
  score: number;
  snippet: string;
  /** Whether the output cites it as `[index]`. */
  cited: boolean;
};

/** What the model is told about the numbered sources. */
export const CONTEXT_INSTRUCTIONS =
  "Use the numbered sources below to answer when they are relevant. Cite every source you use by its number in square brackets, " +
  "for example [1] or [2][3]. Cite only sources you used. If the sources do not contain the answer, say so.";

/**
 * The messages sent to the provider: the version's system message (if any), the numbered
 * context block (if anything was retrieved), then the rendered prompt as the user message.
 */
export function buildMessages(rendered: RenderedPrompt, chunks: readonly RetrievedChunk[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (rendered.system !== undefined && rendered.system.trim() !== "") messages.push({ role: "system", content: rendered.system });
  if (chunks.length > 0) messages.push({ role: "system", content: contextBlock(chunks) });
  messages.push({ role: "user", content: rendered.user });
  return messages;
}

/** `[n] Title` then the passage, for each chunk in rank order, after the instructions. */
export function contextBlock(chunks: readonly RetrievedChunk[]): string {
  const sources = chunks.map((chunk, i) => `[${i + 1}] ${oneLine(chunk.documentTitle) || "Untitled"}\n${chunk.text.trim()}`);
  return `${CONTEXT_INSTRUCTIONS}\n\nSources:\n\n${sources.join("\n\n")}`;
}

/** Numbers cited in a text: `[1]`, `[2][3]` and `[1, 4]` forms. */
export function citedNumbers(text: string): Set<number> {
  const found = new Set<number>();
  for (const match of text.matchAll(/\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g)) {
    for (const part of (match[1] ?? "").split(",")) found.add(Number(part.trim()));
  }
  return found;
}

/** Citations in context order, each marked with whether the output refers to it. */
export function citationsFor(chunks: readonly RetrievedChunk[], output: string): Citation[] {
  const cited = citedNumbers(output);
  return chunks.map((chunk, i) => ({
    index: i + 1,
    documentId: chunk.documentId,
    chunkId: chunk.chunkId,
    title: chunk.documentTitle,
    score: Math.round(chunk.score * 1e6) / 1e6,
    snippet: snippetOf(chunk.text),
    cited: cited.has(i + 1),
  }));
}

/** The passage's start, whitespace collapsed, cut at a word with an ellipsis. */
export function snippetOf(text: string, maxChars: number = EXECUTION_LIMITS.snippetChars): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= maxChars) return flat;
  const cut = safeSlice(flat, maxChars - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > maxChars / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The retrieval query: the explicit one, else the rendered prompt cut to the query limit. */
export function retrievalQueryFrom(rendered: RenderedPrompt, explicit: string | undefined): string {
  if (explicit !== undefined) return explicit;
  const flat = rendered.user.replace(/\s+/g, " ").trim();
  return flat.length <= EXECUTION_LIMITS.retrievalQueryChars ? flat : safeSlice(flat, EXECUTION_LIMITS.retrievalQueryChars);
}

/** USD estimate from the provider's per-1k prices, rounded to a millionth of a dollar. */
export function estimateCostUsd(price: { inputPer1k: number; outputPer1k: number }, usage: TokenUsage): number {
  const cost = (usage.inputTokens / 1000) * price.inputPer1k + (usage.outputTokens / 1000) * price.outputPer1k;
  return Math.round(cost * 1e6) / 1e6;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The first `maxChars` UTF-16 units, never ending in half a surrogate pair. */
function safeSlice(text: string, maxChars: number): string {
  const cut = text.slice(0, maxChars);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
