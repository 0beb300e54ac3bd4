/**
 * Lua script compatibility with open-source Redis.
 *
 * Upstash accepts script flags open-source Redis does not know (@upstash/ratelimit 2.1+ starts
 * every script with `#!lua flags=allow-key-locking`; Redis answers "Unexpected flag in script
 * shebang"). We drop the unknown flags from the shebang line: if no flag is left the line
 * becomes a plain `--` comment (a script without shebang, Redis' legacy semantics, which also
 * keeps EVAL_RO working), otherwise `#!lua flags=<known flags>`. The line stays a line, so
 * error line numbers are unchanged.
 *
 * Clients address scripts by the SHA1 of the ORIGINAL text (ratelimit ships fixed hashes), but
 * Redis caches the rewritten one, so we remember original SHA1 -> rewritten SHA1 and translate
 * EVALSHA / EVALSHA_RO / SCRIPT EXISTS, and answer SCRIPT LOAD with the original SHA1. An
 * unknown SHA1 passes through, so Redis answers NOSCRIPT and the client falls back to EVAL.
 */
import { createHash } from "node:crypto";

/** Script flags open-source Redis 7 understands. */
const KNOWN_FLAGS = new Set(["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"]);

export function sha1Hex(text: string | Buffer): string {
  return createHash("sha1").update(text).digest("hex");
}

/** The script Redis can run, or `null` when it needs no change. */
export function rewriteScript(script: string): string | null {
  if (!script.startsWith("#!")) return null;
  const nl = script.indexOf("\n");
  const firstLine = nl === -1 ? script : script.slice(0, nl);
  const rest = nl === -1 ? "" : script.slice(nl);
  const cr = firstLine.endsWith("\r") ? "\r" : "";
  const [engine, ...options] = firstLine.slice(2, firstLine.length - cr.length).trim().split(/\s+/);
  let changed = false;
  const kept: string[] = [];
  for (const option of options) {
    if (!option.startsWith("flags=")) {
      kept.push(option);
      continue;
    }
    const flags = option.slice("flags=".length).split(",").filter((f) => f !== "");
    const known = flags.filter((f) => KNOWN_FLAGS.has(f));
    if (known.length !== flags.length) changed = true;
    if (known.length > 0) kept.push(`flags=${known.join(",")}`);
  }
  if (!changed) return null;
  const line = kept.length === 0 && engine === "lua" ? "--" : `#!${[engine, ...kept].join(" ")}`;
  return line + cr + rest;
}

/** Original SHA1 -> SHA1 of the rewritten script that Redis actually knows. */
export class ScriptShaMap {
  private readonly map = new Map<string, string>();

  constructor(private readonly maxEntries = 10_000) {}

  /**
   * Prepares a script for EVAL / SCRIPT LOAD: returns the text to send and the original SHA1,
   * remembering the translation when the text had to change.
   */
  prepare(script: string): { script: string; originalSha: string } {
    const originalSha = sha1Hex(script);
    const rewritten = rewriteScript(script);
    if (rewritten === null) return { script, originalSha };
    if (!this.map.has(originalSha)) {
      if (this.map.size >= this.maxEntries) this.map.delete(this.map.keys().next().value as string);
      this.map.set(originalSha, sha1Hex(rewritten));
    }
    return { script: rewritten, originalSha };
  }

  /** The SHA1 to send to Redis for a client-supplied SHA1. */
  translate(sha: string): string {
    return this.map.get(sha.toLowerCase()) ?? sha;
  }
}
