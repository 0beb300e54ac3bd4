/**
 * Document path patterns as firebase-functions' PathPattern reads them: `{name}` captures one
 * segment, `{name=**}` any number (at least one), a bare `*` / `**` matches without capturing.
 */
type Segment =
  | { kind: "literal"; value: string }
  | { kind: "single"; name?: string }
  | { kind: "multi"; name?: string };

const CAPTURE = /^\{([^/{}=]+)(=\*\*)?\}$/;

function parse(pattern: string): Segment[] {
  return split(pattern).map((part): Segment => {
    const capture = CAPTURE.exec(part);
    if (capture) return capture[2] ? { kind: "multi", name: capture[1] } : { kind: "single", name: capture[1] };
    if (part === "**") return { kind: "multi" };
    if (part === "*") return { kind: "single" };
    return { kind: "literal", value: part };
  });
}

function split(path: string): string[] {
  return path.split("/").filter((p) => p.length > 0);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The captured params when `path` matches `pattern`, otherwise undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  return matchFrom(parse(pattern), 0, split(path), 0, {});
}

function matchFrom(
  segments: Segment[],
  si: number,
  parts: string[],
  pi: number,
  params: Record<string, string>,
): Record<string, string> | undefined {
  if (si === segments.length) return pi === parts.length ? params : undefined;
  const segment = segments[si];
  if (pi >= parts.length) return undefined;
  if (segment.kind === "literal") {
    return segment.value === parts[pi] ? matchFrom(segments, si + 1, parts, pi + 1, params) : undefined;
  }
  if (segment.kind === "single") {
    const next = segment.name ? { ...params, [segment.name]: decode(parts[pi]) } : params;
    return matchFrom(segments, si + 1, parts, pi + 1, next);
  }
  const rest = segments.length - si - 1;
  for (let end = parts.length - rest; end > pi; end--) {
    const taken = parts.slice(pi, end).map(decode).join("/");
    const next = segment.name ? { ...params, [segment.name]: taken } : params;
    const found = matchFrom(segments, si + 1, parts, end, next);
    if (found) return found;
  }
  return undefined;
}
