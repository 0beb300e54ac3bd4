import { diffLines } from "diff";
import type { PromptVersionView, VariableSpec } from "./prompt-types";

export type LineChange = { kind: "added" | "removed" | "unchanged"; lines: string[] };

export type TextDiff = {
  changes: LineChange[];
  added: number;
  removed: number;
  /** True when the texts differ too much to diff line by line within the edit budget: one removal and one addition. */
  coarse: boolean;
};

export type VariableChange = { name: string; fields: string[]; from: VariableSpec; to: VariableSpec };

export type SettingChange = { field: SettingField; from: string | number | null; to: string | number | null };

export type VersionDiff = {
  from: number;
  to: number;
  template: TextDiff;
  /** Null when neither version has a system template. */
  systemTemplate: TextDiff | null;
  variables: { added: VariableSpec[]; removed: VariableSpec[]; changed: VariableChange[] };
  settings: SettingChange[];
};

const SETTING_FIELDS = ["model", "temperature", "maxOutputTokens"] as const;
type SettingField = (typeof SETTING_FIELDS)[number];
const SPEC_FIELDS = ["type", "required", "description", "default", "allowedValues", "maxLength"] as const;

/** Beyond this many changed lines the diff gives up on detail (keeps a hostile diff cheap). */
export const MAX_EDIT_LINES = 2000;

export function diffText(before: string, after: string): TextDiff {
  const raw = diffLines(before, after, { maxEditLength: MAX_EDIT_LINES });
  const coarse = raw === undefined;
  const parts = raw ?? [
    { value: before, added: false, removed: true, count: 0 },
    { value: after, added: true, removed: false, count: 0 },
  ];
  const changes: LineChange[] = [];
  let added = 0;
  let removed = 0;
  for (const part of parts) {
    if (part.value === "") continue;
    const lines = splitLines(part.value);
    const kind = part.added ? "added" : part.removed ? "removed" : "unchanged";
    if (kind === "added") added += lines.length;
    if (kind === "removed") removed += lines.length;
    changes.push({ kind, lines });
  }
  return { changes, added, removed, coarse };
}

type DiffableVersion = Pick<PromptVersionView, "version" | "template" | "systemTemplate" | "variables" | SettingField>;

/** What changed from one version to another: template lines, variable schema, settings. */
export function diffVersions(from: DiffableVersion, to: DiffableVersion): VersionDiff {
  const before = new Map(from.variables.map((spec) => [spec.name, spec]));
  const after = new Map(to.variables.map((spec) => [spec.name, spec]));
  const changed: VariableChange[] = [];
  for (const [name, spec] of after) {
    const old = before.get(name);
    if (!old) continue;
    const fields = SPEC_FIELDS.filter((field) => !sameJson(old[field], spec[field]));
    if (fields.length > 0) changed.push({ name, fields, from: old, to: spec });
  }
  const hasSystem = from.systemTemplate !== undefined || to.systemTemplate !== undefined;
  return {
    from: from.version,
    to: to.version,
    template: diffText(from.template, to.template),
    systemTemplate: hasSystem ? diffText(from.systemTemplate ?? "", to.systemTemplate ?? "") : null,
    variables: {
      added: to.variables.filter((spec) => !before.has(spec.name)),
      removed: from.variables.filter((spec) => !after.has(spec.name)),
      changed,
    },
    settings: SETTING_FIELDS.filter((field) => from[field] !== to[field]).map((field) => ({ field, from: from[field] ?? null, to: to[field] ?? null })),
  };
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
