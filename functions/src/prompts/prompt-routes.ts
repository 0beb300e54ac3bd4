import { z } from "zod";
import { route } from "../api/route";
import { services } from "../app/services";
import { fields } from "../lib/validation";
import { PROMPT_LIMITS } from "./prompt-limits";
import { labelName, listPromptsOptions, pageOptions, labelHistoryOptions, renderPromptBody, updatePromptMetadataBody, createVersionBody, createPromptBody } from "./prompt-schemas";
import type { VersionSelector } from "./prompt-types";

const BASE = "/v1/workspaces/{workspaceId}/prompts";
const workspaceParams = z.strictObject({ workspaceId: fields.id });
const promptParams = z.strictObject({ workspaceId: fields.id, promptId: fields.id });
const prompts = () => services().prompts;

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

/** Query strings carry text; these accept the text forms of numbers and booleans. */
const queryPageSize = z.coerce.number().int().min(1).max(PROMPT_LIMITS.pageSize);
const queryBoolean = z.enum(["true", "false"]).transform((value) => value === "true");
const listPromptsQuery = z.strictObject({ ...listPromptsOptions.shape, archived: queryBoolean.optional(), pageSize: queryPageSize.optional() });
const pageQuery = z.strictObject({ ...pageOptions.shape, pageSize: queryPageSize.optional() });
const labelHistoryQuery = z.strictObject({ ...labelHistoryOptions.shape, pageSize: queryPageSize.optional() });

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

export const promptRoutes = [
  route({
    method: "POST",
    path: BASE,
    summary: "Create a prompt with its version 1.",
    tags: ["prompts"],
    scope: "prompts:write",
    rateLimit: { policy: "write" },
    params: workspaceParams,
    body: createPromptBody,
    response: z.object({ prompt: promptView, version: versionView }),
    successStatus: 201,
    handle: ({ principal, params, body }) => prompts().createPrompt(principal, params.workspaceId, body),
  }),
  route({
    method: "GET",
    path: BASE,
    summary: "List prompts, newest first, filtered by tag and search text.",
    tags: ["prompts"],
    scope: "prompts:read",
    rateLimit: { policy: "read" },
    params: workspaceParams,
    query: listPromptsQuery,
    response: page(promptView),
    handle: ({ principal, params, query }) => prompts().listPrompts(principal, params.workspaceId, query),
  }),
  route({
    method: "GET",
    path: `${BASE}/{promptId}`,
    summary: "Get a prompt's metadata, latest version number and labels.",
    tags: ["prompts"],
    scope: "prompts:read",
    rateLimit: { policy: "read" },
    params: promptParams,
    response: promptView,
    handle: ({ principal, params }) => prompts().getPrompt(principal, params.workspaceId, params.promptId),
  }),
  route({
    method: "PATCH",
    path: `${BASE}/{promptId}`,
    summary: "Change a prompt's name, description or tags (no new version).",
    tags: ["prompts"],
    scope: "prompts:write",
    rateLimit: { policy: "write" },
    params: promptParams,
    body: updatePromptMetadataBody,
    response: promptView,
    handle: ({ principal, params, body }) => prompts().updatePromptMetadata(principal, params.workspaceId, params.promptId, body),
  }),
  route({
    method: "DELETE",
    path: `${BASE}/{promptId}`,
    summary: "Delete an archived prompt with all its versions and label history.",
    tags: ["prompts"],
    scope: "prompts:write",
    rateLimit: { policy: "write" },
    params: promptParams,
    response: z.object({ deleted: z.literal(true), versionsDeleted: z.number() }),
    handle: ({ principal, params }) => prompts().deletePrompt(principal, params.workspaceId, params.promptId),
  }),
  route({
    method: "POST",
    path: `${BASE}/{promptId}/archive`,
    summary: "Archive a prompt: hidden from lists, read-only, not runnable.",
    tags: ["prompts"],
    scope: "prompts:write",
    rateLimit: { policy: "write" },
    params: promptParams,
    response: promptView,
    handle: ({ principal, params }) => prompts().archivePrompt(principal, params.workspaceId, params.promptId),
  }),
  route({
    method: "POST",
    path: `${BASE}/{promptId}/unarchive`,
    summary: "Restore an archived prompt.",
    tags: ["prompts"],
    scope: "prompts:write",
    rateLimit: { policy: "write" },
    params: promptParams,
    response: promptView,
    handle: ({ principal, params }) => prompts().unarchivePrompt(principal, params.workspaceId, params.promptId),
  }),
  route({
    method: "POST",
    path: `${BASE}/{promptId}/versions`,
    summary: "Save new content as the next version.",
    tags: ["prompts"],
    scope: "prompts:write",
    rateLimit: { policy: "write" },
    params: promptParams,
    body: createVersionBody,
    response: versionView,
    successStatus: 201,
    handle: ({ principal, params, body }) => prompts().createVersion(principal, params.workspaceId, params.promptId, body),
  }),
  route({
    method: "GET",
    path: `${BASE}/{promptId}/versions`,
    summary: "List a prompt's versions, newest first.",
    tags: ["prompts"],
    scope: "prompts:read",
    rateLimit: { policy: "read" },
    params: promptParams,
    query: pageQuery,
    response: page(versionSummary),
    handle: ({ principal, params, query }) => prompts().listVersions(principal, params.workspaceId, params.promptId, query),
  }),
  route({
    method: "GET",
    path: `${BASE}/{promptId}/versions/{ref}`,
    summary: "Get a version by number, by label, or 'latest'.",
    tags: ["prompts"],
    scope: "prompts:read",
    rateLimit: { policy: "read" },
    params: z.strictObject({ ...promptParams.shape, ref: versionRef }),
    response: versionView,
    handle: ({ principal, params }) => prompts().getVersion(principal, params.workspaceId, params.promptId, params.ref),
  }),
  route({
    method: "PUT",
    path: `${BASE}/{promptId}/labels/{label}`,
    summary: "Point a label at a version (create or move it; moving back is a rollback).",
    tags: ["prompts"],
    scope: "prompts:write",
    rateLimit: { policy: "write" },
    params: z.strictObject({ ...promptParams.shape, label: labelName }),
    body: z.strictObject({ version: z.number().int().min(1) }),
    response: z.object({ label: z.string(), version: z.number(), previousVersion: z.number().nullable() }),
    handle: ({ principal, params, body }) => prompts().setLabel(principal, params.workspaceId, params.promptId, params.label, body.version),
  }),
  route({
    method: "DELETE",
    path: `${BASE}/{promptId}/labels/{label}`,
    summary: "Remove a label.",
    tags: ["prompts"],
    scope: "prompts:write",
    rateLimit: { policy: "write" },
    params: z.strictObject({ ...promptParams.shape, label: labelName }),
    response: z.object({ label: z.string(), previousVersion: z.number() }),
    handle: ({ principal, params }) => prompts().deleteLabel(principal, params.workspaceId, params.promptId, params.label),
  }),
  route({
    method: "GET",
    path: `${BASE}/{promptId}/label-history`,
    summary: "Who moved which label from which version to which, newest first.",
    tags: ["prompts"],
    scope: "prompts:read",
    rateLimit: { policy: "read" },
    params: promptParams,
    query: labelHistoryQuery,
    response: page(labelEvent),
    handle: ({ principal, params, query }) => prompts().listLabelHistory(principal, params.workspaceId, params.promptId, query),
  }),
  route({
    method: "GET",
    path: `${BASE}/{promptId}/diff`,
    summary: "Diff two versions (each a number, 'latest' or a label): template lines, variables, settings.",
    tags: ["prompts"],
    scope: "prompts:read",
    rateLimit: { policy: "read" },
    params: promptParams,
    query: z.strictObject({ from: versionRef, to: versionRef }),
    response: versionDiff,
    handle: ({ principal, params, query }) => prompts().diffVersions(principal, params.workspaceId, params.promptId, query.from, query.to),
  }),
  route({
    method: "POST",
    path: `${BASE}/{promptId}/render`,
    summary: "Render a version with variables, without executing it.",
    tags: ["prompts"],
    scope: "prompts:read",
    rateLimit: { policy: "read" },
    params: promptParams,
    body: renderPromptBody,
    response: z.object({ version: z.number(), user: z.string(), system: z.string().optional() }),
    handle: ({ principal, params, body }) => {
      const { variables, ...selector } = body;
      return prompts().renderPrompt(principal, params.workspaceId, params.promptId, selector, variables);
    },
  }),
];
