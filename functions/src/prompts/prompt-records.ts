import { z } from "zod";
import { jsonTextField, timestampField } from "../lib/firestore-records";
import { VARIABLE_TYPES } from "./prompt-schemas";

/**
 * Firestore layout of the prompt library:
 * - `workspaces/{w}/prompts/{p}`: metadata, `latestVersion`, `labels` (label -> version),
 *   `searchTokens`, `labelEventCount`, `archived`, `deleting` (`StoredPrompt`).
 * - `workspaces/{w}/prompts/{p}/versions/{00000001}`: immutable content of version 1, ...
 *   (`StoredVersion`).
 * - `workspaces/{w}/prompts/{p}/labelEvents/{00000001}`: label history, numbered like versions
 *   (`StoredLabelEvent`).
 */
export const PROMPTS = "prompts";
export const VERSIONS = "versions";
export const LABEL_EVENTS = "labelEvents";

export const promptsPath = (workspaceId: string) => `workspaces/${workspaceId}/${PROMPTS}`;
export const promptPath = (workspaceId: string, promptId: string) => `${promptsPath(workspaceId)}/${promptId}`;
export const versionsPath = (workspaceId: string, promptId: string) => `${promptPath(workspaceId, promptId)}/${VERSIONS}`;
export const versionPath = (workspaceId: string, promptId: string, version: number) => `${versionsPath(workspaceId, promptId)}/${sequenceId(version)}`;
export const labelEventsPath = (workspaceId: string, promptId: string) => `${promptPath(workspaceId, promptId)}/${LABEL_EVENTS}`;

/** Zero-padded so document ids sort like the numbers they hold. */
export function sequenceId(n: number): string {
  return String(n).padStart(8, "0");
}

const count = z.number().int().nonnegative();

export const storedPromptSchema = z.object({
  name: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  searchTokens: z.array(z.string()),
  latestVersion: count,
  labels: z.record(z.string(), count),
  /** Prompts created before label history was numbered carry none. */
  labelEventCount: count.default(0),
  archived: z.boolean(),
  /** Set while a hard delete runs; such a prompt is treated as gone. */
  deleting: z.boolean().optional(),
  createdBy: z.string(),
  createdAt: timestampField,
  updatedAt: timestampField,
});
export type StoredPrompt = z.infer<typeof storedPromptSchema>;

/** Defaults are stored as JSON text: a `json` default may nest arrays, which Firestore cannot. */
export const storedVariableSchema = z.object({
  name: z.string(),
  type: z.enum(VARIABLE_TYPES),
  required: z.boolean(),
  description: z.string().optional(),
  allowedValues: z.array(z.union([z.string(), z.number()])).optional(),
  maxLength: count.optional(),
  defaultJson: jsonTextField(z.unknown()).optional(),
});
export type StoredVariable = z.infer<typeof storedVariableSchema>;

export const storedVersionSchema = z.object({
  version: count,
  template: z.string(),
  systemTemplate: z.string().optional(),
  variables: z.array(storedVariableSchema),
  model: z.string().optional(),
  temperature: z.number().optional(),
  maxOutputTokens: count.optional(),
  message: z.string().optional(),
  createdBy: z.string(),
  createdAt: timestampField,
  /** Moved by every write, so the hourly backup sees the change (optional: records older than the field still read). */
  updatedAt: timestampField.optional(),
});
export type StoredVersion = z.infer<typeof storedVersionSchema>;

export const storedLabelEventSchema = z.object({
  seq: count,
  label: z.string(),
  action: z.enum(["set", "moved", "deleted"]),
  fromVersion: count.nullable(),
  toVersion: count.nullable(),
  actorUid: z.string(),
  actor: z.string(),
  at: timestampField,
  /** Moved by every write, so the hourly backup sees the change (optional: records older than the field still read). */
  updatedAt: timestampField.optional(),
});
export type StoredLabelEvent = z.infer<typeof storedLabelEventSchema>;

export type PromptRecord = { id: string; data: StoredPrompt };
