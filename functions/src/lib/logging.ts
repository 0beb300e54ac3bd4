import { logger as functionsLogger } from "firebase-functions";

type LogFields = Record<string, unknown>;

/**
 * Keys whose values never reach logs: credentials and personal data. Matching is by key name,
 * case-insensitive, at any depth, so a handler cannot leak them by logging a whole object.
 */
const REDACTED_KEYS = /^(authorization|password|secret|token|id_?token|api_?key|key_?secret|email|phone|content|prompt|text|variables|body)$/i;
const REDACTED = "[redacted]";
const MAX_DEPTH = 6;

/**
 * Credentials that can hide inside free text such as an unexpected error's message: URL user
 * info, bearer tokens, our API keys and common provider key shapes.
 */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/(?<=:\/\/)[^/\s:@]+:[^/\s@]+(?=@)/g, REDACTED],
  // A captured prefix, not a lookbehind: `(?<=Bearer\s+)` rescanned every run of spaces backwards
  // from each of its positions, quadratic in the run's length (a 100 KB message took seconds).
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`],
  [/\brpl_[A-Za-z0-9_-]{12}_[A-Za-z0-9_-]+/g, REDACTED],
  [/\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}/g, REDACTED],
];

export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubSecrets(value);
  if (depth > MAX_DEPTH || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Date) return value.toISOString();
  const out: LogFields = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = REDACTED_KEYS.test(key) ? REDACTED : redact(inner, depth + 1);
  }
  return out;
}

function emit(level: "debug" | "info" | "warn" | "error", event: string, fields?: LogFields): void {
  const safe = fields ? (redact(fields) as LogFields) : {};
  functionsLogger[level](event, { event, ...safe });
}

/**
 * Structured logger: one event name per message plus ids. Everything passes through `redact`.
 */
export const logger = {
  debug: (event: string, fields?: LogFields) => emit("debug", event, fields),
  info: (event: string, fields?: LogFields) => emit("info", event, fields),
  warn: (event: string, fields?: LogFields) => emit("warn", event, fields),
  error: (event: string, fields?: LogFields) => emit("error", event, fields),
};

export type Logger = typeof logger;
