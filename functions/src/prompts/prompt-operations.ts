import { z } from "zod";
import { operation } from "../api/operation";
import {
  createPromptInput,
  createVersionInput,
  deleteLabelInput,
  diffVersionsInput,
  getVersionInput,
  labelName,
  listLabelHistoryInput,
  listPromptsInput,
  listVersionsInput,
  promptIdInput,
  renderPromptInput,
  setLabelInput,
  updatePromptMetadataInput,
} from "./prompt-schemas";
import type { PromptService } from "./prompt-service";
import type { VersionSelector } from "./prompt-types";

type Deps = { prompts: PromptService };

const BASE = "/v1/workspaces/{workspaceId}/prompts";
const ONE = `${BASE}/{promptId}`;

/** A version reference in a path or query: a number, `latest`, or a label name. */
const versionRef = z
  .string()
  .max(64)
  .transform((ref, ctx): VersionSelector => {
    if (ref === "latest") return {};
    if (/^[0-9]{1,9}$/.test(ref)) return { version: Number(ref) };
    const label = labelName.safeParse(ref);
    if (label.success) return { label: label.data };
    ctx.addIssue({ code: "custom", message: "Must be a version number, 'latest' or a label name" });
    return z.NEVER;
  });

const variableView = z.object({
  name: z.string(),
  type: z.enum(["string", "number", "boolean", "enum", "json"]),
  required: z.boolean(),
  description: z.string().optional(),
  default: z.unknown().optional(),
  allowedValues: z.array(z.union([z.string(), z.number()])).optional(),
  maxLength: z.number().optional(),
});
const promptView = z.object({
  id: z.string(),
  workspaceId: z.string(),
  name: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  latestVersion: z.number(),
  labels: z.record(z.string(), z.number()),
  archived: z.boolean(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const versionView = z.object({
  workspaceId: z.string(),
  promptId: z.string(),
  version: z.number(),
  template: z.string(),
  systemTemplate: z.string().optional(),
  variables: z.array(variableView),
  model: z.string().optional(),
  temperature: z.number().optional(),
  maxOutputTokens: z.number().optional(),
  createdBy: z.string(),
  createdAt: z.string(),
  message: z.string().optional(),
});
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const versionSummary = z.object({ version: z.number(), createdBy: z.string(), createdAt: z.string(), message: z.string().optional(), labels: z.array(z.string()) });
const labelEvent = z.object({
  id: z.string(),
  label: z.string(),
  action: z.enum(["set", "moved", "deleted"]),
  fromVersion: z.number().nullable(),
  toVersion: z.number().nullable(),
  actorUid: z.string(),
  actor: z.string(),
  at: z.string(),
});
const textDiff = z.object({ changes: z.array(z.object({ kind: z.enum(["added", "removed", "unchanged"]), lines: z.array(z.string()) })), added: z.number(), removed: z.number(), coarse: z.boolean() });
const versionDiff = z.object({
  from: z.number(),
  to: z.number(),
  template: textDiff,
  systemTemplate: textDiff.nullable(),
  variables: z.object({ added: z.array(variableView), removed: z.array(variableView), changed: z.array(z.object({ name: z.string(), fields: z.array(z.string()), from: variableView, to: variableView })) }),
  settings: z.array(z.object({ field: z.string(), from: z.union([z.string(), z.number()]).nullable(), to: z.union([z.string(), z.number()]).nullable() })),
});


/** The prompt library: prompts, immutable versions, labels, history, diffs, dry-run renders. */
export const promptOperations = {
  createPrompt: operation({
    name: "prompts.create",
    callable: "createPrompt",
    rest: { method: "POST", path: BASE, successStatus: 201 },
    summary: "Create a prompt with its version 1.",
    tags: ["prompts"],
    action: "prompts:write",
    rateLimit: { policy: "write" },
    input: createPromptInput,
    output: z.object({ prompt: promptView, version: versionView }),
    run: ({ prompts }: Deps, principal, { workspaceId, ...body }) => prompts.createPrompt(principal, workspaceId, body),
  }),
  listPrompts: operation({
    name: "prompts.list",
    callable: "listPrompts",
    rest: { method: "GET", path: BASE },
    summary: "List prompts, newest first, filtered by tag and search text.",
    tags: ["prompts"],
    action: "prompts:read",
    rateLimit: { policy: "read" },
    input: listPromptsInput,
    output: page(promptView),
    run: ({ prompts }: Deps, principal, { workspaceId, ...options }) => prompts.listPrompts(principal, workspaceId, options),
  }),
  getPrompt: operation({
    name: "prompts.get",
    callable: "getPrompt",
    rest: { method: "GET", path: ONE },
    summary: "Get a prompt's metadata, latest version number and labels.",
    tags: ["prompts"],
    action: "prompts:read",
    rateLimit: { policy: "read" },
    input: promptIdInput,
    output: promptView,
    run: ({ prompts }: Deps, principal, { workspaceId, promptId }) => prompts.getPrompt(principal, workspaceId, promptId),
  }),
  updatePromptMetadata: operation({
    name: "prompts.updateMetadata",
    callable: "updatePromptMetadata",
    rest: { method: "PATCH", path: ONE },
    summary: "Change a prompt's name, description or tags (no new version).",
    tags: ["prompts"],
    action: "prompts:write",
    rateLimit: { policy: "write" },
    input: updatePromptMetadataInput,
    output: promptView,
    run: ({ prompts }: Deps, principal, { workspaceId, promptId, ...body }) => prompts.updatePromptMetadata(principal, workspaceId, promptId, body),
  }),
  deletePrompt: operation({
    name: "prompts.delete",
    callable: "deletePrompt",
    rest: { method: "DELETE", path: ONE },
    summary: "Delete an archived prompt with all its versions and label history.",
    tags: ["prompts"],
    action: "prompts:write",
    rateLimit: { policy: "write" },
    input: promptIdInput,
    output: z.object({ deleted: z.literal(true), versionsDeleted: z.number() }),
    run: ({ prompts }: Deps, principal, { workspaceId, promptId }) => prompts.deletePrompt(principal, workspaceId, promptId),
  }),
  archivePrompt: operation({
    name: "prompts.archive",
    callable: "archivePrompt",
    rest: { method: "POST", path: `${ONE}/archive` },
    summary: "Archive a prompt: hidden from lists, read-only, not runnable.",
    tags: ["prompts"],
    action: "prompts:write",
    rateLimit: { policy: "write" },
    input: promptIdInput,
    output: promptView,
    run: ({ prompts }: Deps, principal, { workspaceId, promptId }) => prompts.archivePrompt(principal, workspaceId, promptId),
  }),
  unarchivePrompt: operation({
    name: "prompts.unarchive",
    callable: "unarchivePrompt",
    rest: { method: "POST", path: `${ONE}/unarchive` },
    summary: "Restore an archived prompt.",
    tags: ["prompts"],
    action: "prompts:write",
    rateLimit: { policy: "write" },
    input: promptIdInput,
    output: promptView,
    run: ({ prompts }: Deps, principal, { workspaceId, promptId }) => prompts.unarchivePrompt(principal, workspaceId, promptId),
  }),
  createPromptVersion: operation({
    name: "prompts.createVersion",
    callable: "createPromptVersion",
    rest: { method: "POST", path: `${ONE}/versions`, successStatus: 201 },
    summary: "Save new content as the next version.",
    tags: ["prompts"],
    action: "prompts:write",
    rateLimit: { policy: "write" },
    input: createVersionInput,
    output: versionView,
    run: ({ prompts }: Deps, principal, { workspaceId, promptId, ...body }) => prompts.createVersion(principal, workspaceId, promptId, body),
  }),
  listPromptVersions: operation({
    name: "prompts.listVersions",
    callable: "listPromptVersions",
    rest: { method: "GET", path: `${ONE}/versions` },
    summary: "List a prompt's versions, newest first.",
    tags: ["prompts"],
    action: "prompts:read",
    rateLimit: { policy: "read" },
    input: listVersionsInput,
    output: page(versionSummary),
    run: ({ prompts }: Deps, principal, { workspaceId, promptId, ...options }) => prompts.listVersions(principal, workspaceId, promptId, options),
  }),
  getPromptVersion: operation({
    name: "prompts.getVersion",
    callable: "getPromptVersion",
    rest: { method: "GET", path: `${ONE}/versions/{ref}`, params: { ref: versionRef }, queryFields: [] },
    summary: "Get a version by number, by label, or 'latest'.",
    tags: ["prompts"],
    action: "prompts:read",
    rateLimit: { policy: "read" },
    input: getVersionInput,
    output: versionView,
    run: ({ prompts }: Deps, principal, { workspaceId, promptId, ...selector }) => prompts.getVersion(principal, workspaceId, promptId, selector),
  }),
  setPromptLabel: operation({
    name: "prompts.setLabel",
    callable: "setPromptLabel",
    rest: { method: "PUT", path: `${ONE}/labels/{label}` },
    summary: "Point a label at a version (create or move it; moving back is a rollback).",
    tags: ["prompts"],
    action: "prompts:write",
    rateLimit: { policy: "write" },
    input: setLabelInput,
    output: z.object({ label: z.string(), version: z.number(), previousVersion: z.number().nullable() }),
    run: ({ prompts }: Deps, principal, { workspaceId, promptId, label, version }) => prompts.setLabel(principal, workspaceId, promptId, label, version),
  }),
  deletePromptLabel: operation({
    name: "prompts.deleteLabel",
    callable: "deletePromptLabel",
    rest: { method: "DELETE", path: `${ONE}/labels/{label}` },
    summary: "Remove a label.",
    tags: ["prompts"],
    action: "prompts:write",
    rateLimit: { policy: "write" },
    input: deleteLabelInput,
    output: z.object({ label: z.string(), previousVersion: z.number() }),
    run: ({ prompts }: Deps, principal, { workspaceId, promptId, label }) => prompts.deleteLabel(principal, workspaceId, promptId, label),
  }),
  listPromptLabelHistory: operation({
    name: "prompts.listLabelHistory",
    callable: "listPromptLabelHistory",
    rest: { method: "GET", path: `${ONE}/label-history` },
    summary: "Who moved which label from which version to which, newest first.",
    tags: ["prompts"],
    action: "prompts:read",
    rateLimit: { policy: "read" },
    input: listLabelHistoryInput,
    output: page(labelEvent),
    run: ({ prompts }: Deps, principal, { workspaceId, promptId, ...options }) => prompts.listLabelHistory(principal, workspaceId, promptId, options),
  }),
  diffPromptVersions: operation({
    name: "prompts.diffVersions",
    callable: "diffPromptVersions",
    rest: { method: "GET", path: `${ONE}/diff`, params: { from: versionRef, to: versionRef } },
    summary: "Diff two versions (each a number, 'latest' or a label): template lines, variables, settings.",
    tags: ["prompts"],
    action: "prompts:read",
    rateLimit: { policy: "read" },
    input: diffVersionsInput,
    output: versionDiff,
    run: ({ prompts }: Deps, principal, { workspaceId, promptId, from, to }) => prompts.diffVersions(principal, workspaceId, promptId, from, to),
  }),
  renderPrompt: operation({
    name: "prompts.render",
    callable: "renderPrompt",
    rest: { method: "POST", path: `${ONE}/render` },
    summary: "Render a version with variables, without executing it.",
    tags: ["prompts"],
    action: "prompts:read",
    rateLimit: { policy: "read" },
    input: renderPromptInput,
    output: z.object({ version: z.number(), user: z.string(), system: z.string().optional() }),
    run: ({ prompts }: Deps, principal, { workspaceId, promptId, variables, ...selector }) => prompts.renderPrompt(principal, workspaceId, promptId, selector, variables),
  }),
};
