/**
 * Public shapes of the prompt library that other domains (executions) depend on. The prompts
 * service owns everything else.
 */
export type VariableType = "string" | "number" | "boolean" | "enum" | "json";

export type VariableSpec = {
  name: string;
  type: VariableType;
  required: boolean;
  description?: string;
  default?: unknown;
  /** For `enum` (and optionally `string`): the allowed values. */
  allowedValues?: Array<string | number>;
  /** For strings: longest accepted value. */
  maxLength?: number;
};

/** A version resolved by number, by label, or as latest; immutable once written. */
export type PromptVersionView = {
  workspaceId: string;
  promptId: string;
  version: number;
  template: string;
  variables: VariableSpec[];
  /** Optional model settings saved with the version; executions may override. */
  model?: string;
  temperature?: number;
  maxOutputTokens?: number;
  /** Optional system message rendered with the same variables. */
  systemTemplate?: string;
  createdBy: string;
  createdAt: string;
  message?: string;
};

/** How executions pick a version: a number, a label, or (neither) the latest. */
export type VersionSelector = { version?: number; label?: string };
