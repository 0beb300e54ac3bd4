import { PayloadTooLargeError, ValidationError } from "../lib/errors";
import { KNOWLEDGE_LIMITS } from "./knowledge-limits";

export type ChunkingOptions = {
  /** Largest chunk in characters, 200-4000. @default 1000 */
  size: number;
  /** Characters repeated from the end of the previous chunk of the same section; below size/2. @default 150 */
  overlap: number;
};

export const DEFAULT_CHUNKING: ChunkingOptions = { size: 1000, overlap: 150 };

export type Chunk = {
  index: number;
  text: string;
  /** Headings above the chunk, outermost first: `["Guide", "Install"]`. */
  headingPath: string[];
};

type Section = { headingPath: string[]; blocks: string[] };
/** A piece no longer than the chunk size, and what joins it to the piece before. */
type Unit = { text: string; joiner: string };

export function validateChunking(options: ChunkingOptions): void {
  const { minChunkSize, maxChunkSize } = KNOWLEDGE_LIMITS;
  const issues = [];
  if (!Number.isInteger(options.size) || options.size < minChunkSize || options.size > maxChunkSize) {
    issues.push({ path: "chunking.size", message: `Must be an integer from ${minChunkSize} to ${maxChunkSize}` });
  }
  if (!Number.isInteger(options.overlap) || options.overlap < 0 || options.overlap * 2 >= options.size) {
    issues.push({ path: "chunking.overlap", message: "Must be an integer from 0 to less than half the chunk size" });
  }
  if (issues.length > 0) throw new ValidationError(`Invalid ${issues[0]?.path}: ${issues[0]?.message}`, issues);
}

/**
 * Splits a Markdown (or plain) text into chunks: first by headings (each chunk keeps the heading
 * path above it), then by paragraphs, then sentences, then words, packing pieces greedily up to
 * `size` characters. A chunk never ends or starts inside a word; only a single "word" longer
 * than the chunk size (a URL, a base64 blob) is cut. Consecutive chunks of one section share
 * about `overlap` characters, starting at a word boundary. Throws `PayloadTooLargeError` past
 * the per-document chunk limit, before anything is stored.
 */
export function chunkMarkdown(text: string, options: ChunkingOptions = DEFAULT_CHUNKING): Chunk[] {
  validateChunking(options);
  const chunks: Chunk[] = [];
  for (const section of parseSections(text)) {
    for (const body of packSection(section.blocks, options)) {
      chunks.push({ index: chunks.length, text: body, headingPath: section.headingPath });
      if (chunks.length > KNOWLEDGE_LIMITS.maxChunksPerDocument) {
        throw new PayloadTooLargeError(
          `The document makes more than ${KNOWLEDGE_LIMITS.maxChunksPerDocument} chunks; split it or use a larger chunk size.`,
          { limit: KNOWLEDGE_LIMITS.maxChunksPerDocument },
        );
      }
    }
  }
  return chunks;
}

/** ATX headings (`# Title`) open sections; fenced code blocks are kept whole and never parsed. */
function parseSections(text: string): Section[] {
  const sections: Section[] = [];
  const path: { level: number; title: string }[] = [];
  let current: Section = { headingPath: [], blocks: [] };
  let paragraph: string[] = [];
  let fence: string | null = null;

  const endParagraph = () => {
    const block = paragraph.join("\n").trim();
    if (block) current.blocks.push(block);
    paragraph = [];
  };

  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    const fenceMark = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      paragraph.push(line);
      if (fenceMark && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) {
        fence = null;
        endParagraph();
      }
      continue;
    }
    if (fenceMark) {
      endParagraph();
      fence = fenceMark;
      paragraph.push(line);
      continue;
    }
    const heading = atxHeading(line);
    if (heading) {
      endParagraph();
      if (current.blocks.length > 0) sections.push(current);
      const { level } = heading;
      while (path.length > 0 && (path[path.length - 1]?.level ?? 0) >= level) path.pop();
      path.push(heading);
      current = { headingPath: path.map((h) => h.title).filter(Boolean), blocks: [] };
      continue;
    }
    if (line.trim() === "") endParagraph();
    else paragraph.push(line);
  }
  endParagraph();
  if (current.blocks.length > 0) sections.push(current);
  return sections;
}

const isSpace = (char: string | undefined): boolean => char !== undefined && /\s/.test(char);

/**
 * An ATX heading (`## Title ##`): up to 3 leading spaces, 1-6 `#`, whitespace, the title, an
 * optional closing run of `#`. Scanned by hand rather than with a regular expression: the obvious
 * pattern (`\s+(.*?)\s*#*\s*$`) backtracks cubically on a line of spaces. A line longer than
 * `maxHeadingLineChars` is text, so no heading can blow up every chunk's heading path.
 */
export function atxHeading(line: string): { level: number; title: string } | null {
  if (line.length > KNOWLEDGE_LIMITS.maxHeadingLineChars) return null;
  let i = 0;
  while (i < line.length && isSpace(line[i])) i += 1;
  if (i > 3 || line[i] !== "#") return null;
  const hashesStart = i;
  while (line[i] === "#") i += 1;
  const level = i - hashesStart;
  if (level > 6 || !isSpace(line[i])) return null;
  let end = line.length;
  while (end > i && isSpace(line[end - 1])) end -= 1;
  while (end > i && line[end - 1] === "#") end -= 1;
  return { level, title: line.slice(i, end).trim() };
}

function packSection(blocks: string[], { size, overlap }: ChunkingOptions): string[] {
  // Pieces leave room for the overlap, so every chunk after the first can carry all of it.
  const units: Unit[] = blocks.flatMap((block, i) => splitToFit(block, size - overlap, size).map((text, j) => ({ text, joiner: j > 0 ? " " : i > 0 ? "\n\n" : "" })));
  const out: string[] = [];
  let current = "";
  for (const unit of units) {
    if (current && current.length + unit.joiner.length + unit.text.length > size) {
      out.push(current);
      const tail = overlapTail(current, Math.min(overlap, size - unit.text.length - 1));
      current = tail ? `${tail} ${unit.text}` : unit.text;
    } else {
      current = current ? `${current}${unit.joiner}${unit.text}` : unit.text;
    }
  }
  if (current) out.push(current);
  return out;
}

/**
 * The block if it fits in `room`, else its sentences, else its words; only a word longer than
 * the chunk `size` is cut (into `room`-sized parts).
 */
function splitToFit(block: string, room: number, size: number): string[] {
  if (block.length <= room) return [block];
  const sentences = block.split(/(?<=[.!?])\s+/);
  if (sentences.length > 1) return sentences.flatMap((s) => splitToFit(s, room, size));
  return block
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((word) => (word.length <= size ? [word] : (word.match(new RegExp(`.{1,${room}}`, "gsu")) ?? [word])));
}

/** The last at most `chars` characters of a chunk, starting at a word boundary. */
function overlapTail(text: string, chars: number): string {
  if (chars <= 0) return "";
  if (text.length <= chars) return text;
  const slice = text.slice(text.length - chars);
  const boundary = /\s/.test(text.charAt(text.length - chars - 1)) ? 0 : slice.search(/\s/);
  return boundary < 0 ? "" : slice.slice(boundary).trim();
}

/** The text a chunk is embedded and indexed with: its heading path gives it context. */
export function contextualText(chunk: Pick<Chunk, "text" | "headingPath">): string {
  return chunk.headingPath.length > 0 ? `${chunk.headingPath.join(" > ")}\n${chunk.text}` : chunk.text;
}
