import type { Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { decodeJsonText, readRecord, type RecordSnapshot } from "../lib/firestore-records";
import { storedPromptSchema, type PromptRecord, type StoredLabelEvent, type StoredVariable, type StoredVersion } from "./prompt-records";
import type { LabelEvent, PromptVersionView, PromptView, VariableSpec } from "./prompt-types";

/** Mapping between the stored documents of the prompt library (`prompt-records.ts`) and its views. */

/** The prompt, or null when there is none or it is being deleted. */
export function promptFromSnapshot(snap: RecordSnapshot & { id: string }): PromptRecord | null {
  const data = readRecord(snap, storedPromptSchema, { kind: "prompt" });
  if (!data || data.deleting) return null;
  return { id: snap.id, data };
}

/**
 * The version a label points at, or undefined. Labels are a map inside the prompt document, so a
 * plain index would find `Object.prototype` members: `labels["constructor"]` is a function.
 */
export function labelTarget(labels: Readonly<Record<string, number>>, label: string): number | undefined {
  return Object.hasOwn(labels, label) ? labels[label] : undefined;
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
  return defaultJson === undefined ? { ...rest } : { ...rest, default: decodeJsonText(defaultJson, z.unknown()) };
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
