/**
 * Every size and count limit of the prompt library, in one place so the schemas, the service and
 * `docs/prompts.md` spell the same numbers.
 */
export const PROMPT_LIMITS = {
  /** Largest `template` or `systemTemplate`, in UTF-8 bytes. @default 32 KiB */
  templateBytes: 32 * 1024,
  /** Variables one version may declare. @default 50 */
  variables: 50,
  /** Longest variable description. @default 500 */
  variableDescription: 500,
  /** Allowed values one variable may list. @default 100 */
  allowedValues: 100,
  /** Longest allowed value (strings). @default 500 */
  allowedValueLength: 500,
  /** Largest string (or serialised json) variable value, default or passed at render, in UTF-8 bytes. @default 32 KiB */
  valueBytes: 32 * 1024,
  /** Largest rendered message, so a placeholder repeated many times cannot blow up memory. @default 256 KiB */
  renderedBytes: 256 * 1024,
  /** Tags one prompt may carry. @default 20 */
  tags: 20,
  /** Labels one prompt may carry at once. @default 20 */
  labels: 20,
  /** Versions one prompt may have. @default 10000 */
  versions: 10_000,
  /** Longest prompt name. @default 200 */
  name: 200,
  /** Longest prompt description. @default 2000 */
  description: 2000,
  /** Longest version message. @default 500 */
  versionMessage: 500,
  /** Longest model identifier. @default 200 */
  model: 200,
  /** Largest `maxOutputTokens`. @default 1000000 */
  maxOutputTokens: 1_000_000,
  /** Longest search text. @default 200 */
  searchText: 200,
  /** Words one search may hold. @default 8 */
  searchWords: 8,
  /** Largest page of any list. @default 100 */
  pageSize: 100,
} as const;

/** Variable names: an identifier of at most 64 characters. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Keys `parseInput` refuses anywhere in outside input, so a variable so named could never be passed. */
export const RESERVED_VARIABLE_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Label names: lowercase, digits, '_' and '-', not all digits (so never mistaken for a version number). */
export const LABEL_NAME = /^(?![0-9]+$)[a-z0-9][a-z0-9_-]{0,49}$/;

/** `latest` is how selectors name the newest version, so no label may take that name. */
export const RESERVED_LABELS: ReadonlySet<string> = new Set(["latest"]);

export const DEFAULT_PAGE_SIZE = 20;

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
