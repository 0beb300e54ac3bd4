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

/** What `renderTemplate` returns: the user message, and the system message when the version has one. */
export type RenderedPrompt = { user: string; system?: string };

/** A prompt as callers see it; its content lives in versions. */
export type PromptView = {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  tags: string[];
  latestVersion: number;
  /** Label name to the version it points at, e.g. `{ production: 3 }`. */
  labels: Record<string, number>;
  archived: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
};

/** A version in a list: no template text, plus the labels pointing at it. */
export type PromptVersionSummary = {
  version: number;
  createdBy: string;
  createdAt: string;
  message?: string;
  labels: string[];
};

/** One label change: set (from null), moved, or deleted (to null). */
export type LabelEvent = {
  id: string;
  label: string;
  action: "set" | "moved" | "deleted";
  fromVersion: number | null;
  toVersion: number | null;
  actorUid: string;
  /** `user:<uid>` or `apiKey:<keyId>`. */
  actor: string;
  at: string;
};
