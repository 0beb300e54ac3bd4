import { z } from "zod";
import { fields } from "../lib/validation";
import { LABEL_NAME, PROMPT_LIMITS, RESERVED_LABELS, RESERVED_VARIABLE_NAMES, utf8Bytes, VARIABLE_NAME } from "./prompt-limits";
import type { VariableSpec, VariableType } from "./prompt-types";
import { versionContentIssues } from "./version-content";

export const VARIABLE_TYPES = ["string", "number", "boolean", "enum", "json"] as const satisfies readonly VariableType[];

const templateText = z
  .string()
  .min(1, "Must not be empty")
  .refine((text) => utf8Bytes(text) <= PROMPT_LIMITS.templateBytes, `Must be at most ${PROMPT_LIMITS.templateBytes} bytes`);

const variableSpecInput = z
  .strictObject({
    name: z
      .string()
      .regex(VARIABLE_NAME, "Must start with a letter or '_' and hold at most 64 letters, digits or '_'")
      .refine((name) => !RESERVED_VARIABLE_NAMES.has(name), "Is reserved (inputs may never carry this key)"),
    type: z.enum(VARIABLE_TYPES),
    /** @default true when no default is given, false when one is */
    required: z.boolean().optional(),
    description: z.string().max(PROMPT_LIMITS.variableDescription).optional(),
    default: z.unknown().optional(),
    allowedValues: z
      .array(z.union([z.string().max(PROMPT_LIMITS.allowedValueLength), z.number()]))
      .min(1)
      .max(PROMPT_LIMITS.allowedValues)
      .optional(),
    maxLength: z.number().int().min(1).max(PROMPT_LIMITS.valueBytes).optional(),
  })
  .transform(
    (spec): VariableSpec => ({
      name: spec.name,
      type: spec.type,
      required: spec.required ?? spec.default === undefined,
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      ...(spec.default !== undefined ? { default: spec.default } : {}),
      ...(spec.allowedValues !== undefined ? { allowedValues: spec.allowedValues } : {}),
      ...(spec.maxLength !== undefined ? { maxLength: spec.maxLength } : {}),
    }),
  );

const tagsField = z
  .array(fields.tag.transform((tag) => tag.toLowerCase()))
  .max(PROMPT_LIMITS.tags, `At most ${PROMPT_LIMITS.tags} tags`)
  .transform((tags) => [...new Set(tags)]);

export const labelName = z
  .string()
  .regex(LABEL_NAME, "Must be 1-50 lowercase letters, digits, '_' or '-', start with a letter or digit, and not be all digits")
  .refine((label) => !RESERVED_LABELS.has(label), "Is reserved");

const versionNumber = z.number().int().min(1).max(PROMPT_LIMITS.versions);
const pageSize = z.number().int().min(1).max(PROMPT_LIMITS.pageSize);
const cursor = z.string().min(1).max(500);

/** Template, variables and settings: what every version holds. */
const versionContentShape = {
  template: templateText,
  systemTemplate: templateText.optional(),
  variables: z.array(variableSpecInput).max(PROMPT_LIMITS.variables, `At most ${PROMPT_LIMITS.variables} variables`).default([]),
  model: z.string().trim().min(1).max(PROMPT_LIMITS.model).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: z.number().int().min(1).max(PROMPT_LIMITS.maxOutputTokens).optional(),
  message: z.string().trim().max(PROMPT_LIMITS.versionMessage).optional(),
};

function checkVersionContent(content: { template: string; systemTemplate?: string | undefined; variables: VariableSpec[] }, ctx: z.RefinementCtx): void {
  for (const issue of versionContentIssues(content)) ctx.addIssue({ code: "custom", path: issue.path.split("."), message: issue.message });
}

const metadataShape = {
  name: fields.name,
  description: fields.description.optional(),
  tags: tagsField.optional(),
};

const ids = { workspaceId: fields.id, promptId: fields.id };

export const createPromptBody = z.strictObject({ ...metadataShape, ...versionContentShape }).superRefine(checkVersionContent);
export type CreatePromptBody = z.output<typeof createPromptBody>;
export const createPromptInput = z.strictObject({ workspaceId: fields.id, ...metadataShape, ...versionContentShape }).superRefine(checkVersionContent);

const updateMetadataShape = { name: fields.name.optional(), description: fields.description.optional(), tags: tagsField.optional() };
const atLeastOneField = (body: Record<string, unknown>) => ["name", "description", "tags"].some((key) => body[key] !== undefined);
const atLeastOneMessage = { message: "Give at least one of name, description, tags" };
export const updatePromptMetadataBody = z.strictObject(updateMetadataShape).refine(atLeastOneField, atLeastOneMessage);
export type UpdatePromptMetadataBody = z.output<typeof updatePromptMetadataBody>;
export const updatePromptMetadataInput = z.strictObject({ ...ids, ...updateMetadataShape }).refine(atLeastOneField, atLeastOneMessage);

const createVersionShape = {
  ...versionContentShape,
  /** Optimistic concurrency: refuse (failed-precondition) unless this is still the latest version. */
  baseVersion: versionNumber.optional(),
};
export const createVersionBody = z.strictObject(createVersionShape).superRefine(checkVersionContent);
export type CreateVersionBody = z.output<typeof createVersionBody>;
export const createVersionInput = z.strictObject({ ...ids, ...createVersionShape }).superRefine(checkVersionContent);

const selectorShape = { version: versionNumber.optional(), label: labelName.optional() };
const notBoth = (selector: { version?: number | undefined; label?: string | undefined }) => selector.version === undefined || selector.label === undefined;
const notBothMessage = { message: "Give a version or a label, not both", path: ["label"] };
export const versionSelector = z.strictObject(selectorShape).refine(notBoth, notBothMessage);
export const getVersionInput = z.strictObject({ ...ids, ...selectorShape }).refine(notBoth, notBothMessage);

const listPromptsShape = {
  tag: fields.tag.transform((tag) => tag.toLowerCase()).optional(),
  search: z.string().max(PROMPT_LIMITS.searchText).optional(),
  /** Lists archived prompts instead of active ones. @default false */
  archived: z.boolean().optional(),
  pageSize: pageSize.optional(),
  cursor: cursor.optional(),
};
export const listPromptsOptions = z.strictObject(listPromptsShape);
export type ListPromptsOptions = z.output<typeof listPromptsOptions>;
export const listPromptsInput = z.strictObject({ workspaceId: fields.id, ...listPromptsShape });

const pageShape = { pageSize: pageSize.optional(), cursor: cursor.optional() };
export const pageOptions = z.strictObject(pageShape);
export type PageOptions = z.output<typeof pageOptions>;
export const listVersionsInput = z.strictObject({ ...ids, ...pageShape });

const labelHistoryShape = { label: labelName.optional(), ...pageShape };
export const labelHistoryOptions = z.strictObject(labelHistoryShape);
export type LabelHistoryOptions = z.output<typeof labelHistoryOptions>;
export const listLabelHistoryInput = z.strictObject({ ...ids, ...labelHistoryShape });

export const setLabelInput = z.strictObject({ ...ids, label: labelName, version: versionNumber });
export const deleteLabelInput = z.strictObject({ ...ids, label: labelName });

export const diffVersionsInput = z.strictObject({ ...ids, from: versionSelector, to: versionSelector });

/** Values for a dry-run render; each is checked against the version's declared variables. */
export const renderVariables = z.record(z.string().max(64), z.unknown());
const renderShape = { ...selectorShape, variables: renderVariables.default({}) };
export const renderPromptBody = z.strictObject(renderShape).refine(notBoth, notBothMessage);
export const renderPromptInput = z.strictObject({ ...ids, ...renderShape }).refine(notBoth, notBothMessage);

export const promptIdInput = z.strictObject(ids);
