import { VARIABLE_NAME } from "./prompt-limits";

/**
 * The template language, deliberately tiny:
 * - `{{name}}` or `{{ name }}` (spaces and tabs around the name are ignored) is a placeholder;
 *   the name follows the variable-name rule. Anything else between `{{` and `}}` is an error.
 * - `\{{` is a literal `{{`. Before `{{` only, a backslash escapes a backslash: `\\{{name}}` is a
 *   literal `\` followed by the placeholder. Backslashes anywhere else are plain text.
 * - A lone `}}` is plain text. An unclosed `{{` is an error.
 * - Rendering is one pass: values are inserted verbatim and never scanned for placeholders.
 */
export type TemplateSegment = { kind: "text"; text: string } | { kind: "variable"; name: string };

export type TemplateIssue = { message: string; line: number; column: number };

export type ParsedTemplate = { segments: TemplateSegment[]; issues: TemplateIssue[] };

const OPEN = "{{";
const CLOSE = "}}";

export function parseTemplate(source: string): ParsedTemplate {
  const segments: TemplateSegment[] = [];
  const issues: TemplateIssue[] = [];
  let text = "";
  let i = 0;
  const at = positionFinder(source);
  const flushText = () => {
    if (text) segments.push({ kind: "text", text });
    text = "";
  };

  while (i < source.length) {
    const open = source.indexOf(OPEN, i);
    if (open === -1) {
      text += source.slice(i);
      break;
    }
    let slashes = 0;
    while (open - slashes - 1 >= i && source[open - slashes - 1] === "\\") slashes += 1;
    text += source.slice(i, open - slashes) + "\\".repeat(Math.floor(slashes / 2));
    if (slashes % 2 === 1) {
      text += OPEN;
      i = open + OPEN.length;
      continue;
    }
    const close = source.indexOf(CLOSE, open + OPEN.length);
    if (close === -1) {
      issues.push({ message: "Unclosed '{{' (write '\\{{' for a literal '{{')", ...at(open) });
      text += source.slice(open);
      break;
    }
    const inner = source.slice(open + OPEN.length, close);
    const name = inner.replace(/^[ \t]+|[ \t]+$/g, "");
    if (VARIABLE_NAME.test(name)) {
      flushText();
      segments.push({ kind: "variable", name });
    } else {
      issues.push({ message: `Invalid placeholder '{{${truncate(inner)}}}': expected a variable name (write '\\{{' for a literal '{{')`, ...at(open) });
      text += source.slice(open, close + CLOSE.length);
    }
    i = close + CLOSE.length;
  }
  flushText();
  return { segments, issues };
}

/** Names of the variables a template uses, each once, in order of first use. */
export function placeholderNames(parsed: ParsedTemplate): string[] {
  const names = new Set<string>();
  for (const segment of parsed.segments) if (segment.kind === "variable") names.add(segment.name);
  return [...names];
}

/**
 * Joins segments, replacing each placeholder by its (already validated, stringified) value.
 * Returns null as soon as the result would exceed `maxBytes` UTF-8 bytes, before building it.
 */
export function fillSegments(segments: readonly TemplateSegment[], values: ReadonlyMap<string, string>, maxBytes = Infinity): string | null {
  const parts: string[] = [];
  let bytes = 0;
  for (const segment of segments) {
    const part = segment.kind === "text" ? segment.text : values.get(segment.name);
    // The caller validated every name first; reaching here is a bug, not bad input.
    if (part === undefined) throw new Error(`No value for placeholder ${segment.kind === "variable" ? segment.name : ""}`);
    bytes += Buffer.byteLength(part, "utf8");
    if (bytes > maxBytes) return null;
    parts.push(part);
  }
  return parts.join("");
}

/**
 * Line and column of increasing offsets, counted from where the previous lookup stopped: counting
 * from the start for every issue made a template full of bad placeholders quadratic.
 */
function positionFinder(source: string): (index: number) => { line: number; column: number } {
  let scanned = 0;
  let line = 1;
  let lineStart = 0;
  return (index) => {
    for (; scanned < index; scanned += 1) {
      if (source.charCodeAt(scanned) === 10) {
        line += 1;
        lineStart = scanned + 1;
      }
    }
    return { line, column: index - lineStart + 1 };
  };
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
