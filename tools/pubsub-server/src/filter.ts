/**
 * Pub/Sub's subscription filter language over message attributes:
 *   attributes:key            the key exists
 *   attributes.key = "v"      equals (false when the key is missing)
 *   attributes.key != "v"     the key exists with another value
 *   hasPrefix(attributes.key, "p")
 *   NOT x (or -x), x AND y, x OR y, parentheses.
 * As in production, AND and OR cannot be mixed without parentheses, and a filter is at most
 * 256 bytes. Keys that are not plain identifiers are written as string literals.
 */
import { invalidArgument } from "./errors";

export type Filter = (attributes: Record<string, string>) => boolean;

type Token = { kind: "ident" | "string" | "op"; value: string };

const MAX_FILTER_BYTES = 256;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      let out = "";
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === "\\") {
          const n = src[i + 1];
          if (n === undefined) throw bad("unterminated escape");
          out += n === "n" ? "\n" : n === "t" ? "\t" : n;
          i += 2;
        } else out += src[i++];
      }
      if (src[i] !== c) throw bad("unterminated string literal");
      i++;
      tokens.push({ kind: "string", value: out });
    } else if (src.startsWith("!=", i)) {
      tokens.push({ kind: "op", value: "!=" });
      i += 2;
    } else if ("():.,=-".includes(c)) {
      tokens.push({ kind: "op", value: c });
      i++;
    } else if (/[A-Za-z0-9_]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_-]/.test(src[j]!)) j++;
      tokens.push({ kind: "ident", value: src.slice(i, j) });
      i = j;
    } else throw bad(`unexpected character '${c}'`);
  }
  return tokens;
}

const bad = (why: string): Error => invalidArgument(`Invalid filter: ${why}`);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Filter {
    const f = this.expr();
    if (this.pos < this.tokens.length) throw bad(`unexpected '${this.tokens[this.pos]!.value}'`);
    return f;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private take(kind: Token["kind"], value?: string): Token {
    const t = this.tokens[this.pos];
    if (!t || t.kind !== kind || (value !== undefined && t.value !== value)) {
      throw bad(`expected ${value ?? kind} at token ${this.pos + 1}`);
    }
    this.pos++;
    return t;
  }

  private isWord(word: string): boolean {
    const t = this.peek();
    return t?.kind === "ident" && t.value === word;
  }

  private expr(): Filter {
    const terms = [this.unary()];
    let op: "AND" | "OR" | undefined;
    while (this.isWord("AND") || this.isWord("OR")) {
      const next = this.take("ident").value as "AND" | "OR";
      if (op && op !== next) throw bad("AND and OR must be grouped with parentheses");
      op = next;
      terms.push(this.unary());
    }
    if (terms.length === 1) return terms[0]!;
    return op === "AND" ? (a) => terms.every((t) => t(a)) : (a) => terms.some((t) => t(a));
  }

  private unary(): Filter {
    if (this.isWord("NOT") || this.peek()?.value === "-") {
      this.pos++;
      const inner = this.unary();
      return (a) => !inner(a);
    }
    return this.primary();
  }

  private key(): string {
    const t = this.peek();
    if (t?.kind === "string" || t?.kind === "ident") {
      this.pos++;
      return t.value;
    }
    throw bad("expected an attribute key");
  }

  private primary(): Filter {
    const t = this.peek();
    if (t?.kind === "op" && t.value === "(") {
      this.pos++;
      const inner = this.expr();
      this.take("op", ")");
      return inner;
    }
    if (this.isWord("hasPrefix")) {
      this.pos++;
      this.take("op", "(");
      this.take("ident", "attributes");
      this.take("op", ".");
      const key = this.key();
      this.take("op", ",");
      const prefix = this.take("string").value;
      this.take("op", ")");
      return (a) => Object.hasOwn(a, key) && a[key]!.startsWith(prefix);
    }
    this.take("ident", "attributes");
    const sep = this.take("op");
    if (sep.value === ":") {
      const key = this.key();
      return (a) => Object.hasOwn(a, key);
    }
    if (sep.value !== ".") throw bad("expected ':' or '.' after attributes");
    const key = this.key();
    const op = this.take("op");
    const value = this.take("string").value;
    if (op.value === "=") return (a) => Object.hasOwn(a, key) && a[key] === value;
    if (op.value === "!=") return (a) => Object.hasOwn(a, key) && a[key] !== value;
    throw bad(`unsupported operator '${op.value}'`);
  }
}

/** Compiles a filter; an empty filter matches everything. Throws INVALID_ARGUMENT when invalid. */
export function compileFilter(src: string | undefined): Filter {
  if (!src) return () => true;
  if (Buffer.byteLength(src, "utf8") > MAX_FILTER_BYTES) throw bad(`longer than ${MAX_FILTER_BYTES} bytes`);
  const tokens = tokenize(src);
  if (tokens.length === 0) return () => true;
  return new Parser(tokens).parse();
}
