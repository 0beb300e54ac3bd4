import type { DocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import type { LabelEvent, PromptVersionView, PromptView, VariableSpec } from "./prompt-types";

/**
 * How prompts are laid out in Firestore, and the mapping between stored documents and views.
 *
 * - `workspaces/{w}/prompts/{p}`: metadata, `latestVersion`, `labels` (label -> version),
 *   `searchTokens`, `labelEventCount`, `archived`, `deleting`.
 * - `workspaces/{w}/prompts/{p}/versions/{00000001}`: immutable content of version 1, ...
 * - `workspaces/{w}/prompts/{p}/labelEvents/{00000001}`: label history, numbered like versions.
 */
export const PROMPTS = "prompts";
export const VERSIONS = "versions";
export const LABEL_EVENTS = "labelEvents";

export const promptsPath = (workspaceId: string) => `workspaces/${workspaceId}/${PROMPTS}`;
export const promptPath = (workspaceId: string, promptId: string) => `${promptsPath(workspaceId)}/${promptId}`;
export const versionsPath = (workspaceId: string, promptId: string) => `${promptPath(workspaceId, promptId)}/${VERSIONS}`;
export const labelEventsPath = (workspaceId: string, promptId: string) => `${promptPath(workspaceId, promptId)}/${LABEL_EVENTS}`;

/** Zero-padded so document ids sort like the numbers they hold. */
export function sequenceId(n: number): string {
  return String(n).padStart(8, "0");
}

export type StoredPrompt = {
  name: string;
  description: string;
  tags: string[];
  searchTokens: string[];
  latestVersion: number;
  labels: Record<string, number>;
  labelEventCount: number;
  archived: boolean;
  /** Set while a hard delete runs; such a prompt is treated as gone. */
  deleting?: boolean;
  createdBy: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

/** Defaults are stored as JSON text: a `json` default may nest arrays, which Firestore cannot. */
export type StoredVariable = Omit<VariableSpec, "default"> & { defaultJson?: string };

export type StoredVersion = {
  version: number;
  template: string;
  systemTemplate?: string;
  variables: StoredVariable[];
  model?: string;
  temperature?: number;
  maxOutputTokens?: number;
  message?: string;
  createdBy: string;
  createdAt: Timestamp;
};

export type StoredLabelEvent = {
  seq: number;
  label: string;
  action: LabelEvent["action"];
  fromVersion: number | null;
  toVersion: number | null;
  actorUid: string;
  actor: string;
  at: Timestamp;
};

export type PromptRecord = { id: string; data: StoredPrompt };

export function promptFromSnapshot(snap: DocumentSnapshot): PromptRecord | null {
  if (!snap.exists) return null;
  const data = snap.data() as StoredPrompt;
  if (data.deleting) return null;
  return { id: snap.id, data };
}

export function toPromptView(workspaceId: string, { id, data }: PromptRecord): PromptView {
  return {
    id,
    workspaceId,
    name: data.name,
    description: data.description,
    tags: [...data.tags],
    latestVersion: data.latestVersion,
    labels: { ...data.labels },
    archived: data.archived,
    createdBy: data.createdBy,
    createdAt: iso(data.createdAt),
    updatedAt: iso(data.updatedAt),
  };
}

export function toStoredVariable(spec: VariableSpec): StoredVariable {
  const { default: value, ...rest } = spec;
  return withoutUndefined({ ...rest, defaultJson: value === undefined ? undefined : JSON.stringify(value) });
}

export function toVariableSpec(stored: StoredVariable): VariableSpec {
  const { defaultJson, ...rest } = stored;
  return defaultJson === undefined ? { ...rest } : { ...rest, default: JSON.parse(defaultJson) as unknown };
}

export function toVersionView(workspaceId: string, promptId: string, data: StoredVersion): PromptVersionView {
  return withoutUndefined({
    workspaceId,
    promptId,
    version: data.version,
    template: data.template,
    variables: data.variables.map(toVariableSpec),
    model: data.model,
    temperature: data.temperature,
    maxOutputTokens: data.maxOutputTokens,
    systemTemplate: data.systemTemplate,
    createdBy: data.createdBy,
    createdAt: iso(data.createdAt),
    message: data.message,
  });
}

export function toLabelEvent(id: string, data: StoredLabelEvent): LabelEvent {
  return {
    id,
    label: data.label,
    action: data.action,
    fromVersion: data.fromVersion,
    toVersion: data.toVersion,
    actorUid: data.actorUid,
    actor: data.actor,
    at: iso(data.at),
  };
}

/** Firestore rejects `undefined` unless the client opts out; stored documents never hold it. */
export function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function iso(timestamp: Timestamp): string {
  return timestamp.toDate().toISOString();
}
