/**
 * Partial responses: the `fields` query parameter, e.g. `items(name,size),nextPageToken` or
 * `name,metadata/key`. Parsed into a tree of selected keys; arrays apply the selection to each
 * element.
 */
type Selection = Map<string, Selection | true>;

function parse(input: string): Selection {
  let i = 0;
  const parseList = (): Selection => {
    const sel: Selection = new Map();
    for (;;) {
      let name = "";
      while (i < input.length && !",()".includes(input[i]!)) name += input[i++];
      const path = name.trim().split("/").filter(Boolean);
      let sub: Selection | true = true;
      if (input[i] === "(") {
        i++;
        sub = parseList();
        i++; // ')'
      }
      if (path.length > 0) {
        let node = sel;
        path.forEach((key, idx) => {
          if (idx === path.length - 1) {
            const existing = node.get(key);
            node.set(key, existing instanceof Map && sub instanceof Map ? new Map([...existing, ...sub]) : existing === true ? true : sub);
            return;
          }
          const next = node.get(key);
          if (next === true) return;
          const child: Selection = next ?? new Map();
          node.set(key, child);
          node = child;
        });
      }
      if (input[i] === ",") {
        i++;
        continue;
      }
      return sel;
    }
  };
  return parseList();
}

function apply(value: unknown, sel: Selection): unknown {
  if (Array.isArray(value)) return value.map((v) => apply(v, sel));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, sub] of sel) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    out[key] = sub === true ? v : apply(v, sub);
  }
  return out;
}

export function selectFields<T>(body: T, fields: string | null): T | Record<string, unknown> {
  if (!fields) return body;
  return apply(body, parse(fields)) as Record<string, unknown>;
}
