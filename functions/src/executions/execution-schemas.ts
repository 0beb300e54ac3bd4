import { z } from "zod";
import { fields } from "../lib/validation";
import { labelName } from "../prompts/prompt-schemas";
import { PROMPT_LIMITS } from "../prompts/prompt-limits";
import { EXECUTION_LIMITS } from "./execution-limits";

const variables = z
  .record(z.string().max(64), z.unknown())
  .refine((value) => Object.keys(value).length <= EXECUTION_LIMITS.variables, `At most ${EXECUTION_LIMITS.variables} variables`)
  .refine((value) => Buffer.byteLength(JSON.stringify(value), "utf8") <= EXECUTION_LIMITS.variablesBytes, `Must be at most ${EXECUTION_LIMITS.variablesBytes} bytes as JSON`);

/** Retrieval over the workspace's documents; present means "retrieve". */
export const retrievalOptions = z.strictObject({
  /** The search query; the rendered prompt when omitted. */
  query: z.string().trim().min(1).max(EXECUTION_LIMITS.retrievalQueryChars).optional(),
  /** Restrict to these documents; all ready documents when omitted. */
  documentIds: z
    .array(fields.id)
    .min(1)
    .max(EXECUTION_LIMITS.documentIds, `At most ${EXECUTION_LIMITS.documentIds} documents`)
    .transform((ids) => [...new Set(ids)])
    .optional(),
  /** @default 5 */
  topK: z.number().int().min(1).max(EXECUTION_LIMITS.maxTopK).optional(),
});

const runShape = {
  promptId: fields.id,
  version: z.number().int().min(1).max(PROMPT_LIMITS.versions).optional(),
  label: labelName.optional(),
  variables: variables.default({}),
  retrieval: retrievalOptions.optional(),
  /** Overrides of the version's saved settings. */
  model: z.string().trim().min(1).max(EXECUTION_LIMITS.modelChars).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: z.number().int().min(1).max(EXECUTION_LIMITS.maxOutputTokens).optional(),
};

const notBoth = (input: { version?: number | undefined; label?: string | undefined }) => input.version === undefined || input.label === undefined;
const notBothMessage = { message: "Give a version or a label, not both", path: ["label"] };

/** REST body of `POST /v1/workspaces/{workspaceId}/executions`. */
export const runExecutionBody = z.strictObject(runShape).refine(notBoth, notBothMessage);
export type RunExecutionBody = z.output<typeof runExecutionBody>;

/** Callable input of `runExecution`. */
export const runExecutionInput = z.strictObject({ workspaceId: fields.id, ...runShape }).refine(notBoth, notBothMessage);

export const executionStatus = z.enum(["completed", "failed"]);

const listShape = {
  promptId: fields.id.optional(),
  status: executionStatus.optional(),
  pageSize: z.number().int().min(1).max(EXECUTION_LIMITS.pageSize).optional(),
  cursor: z.string().min(1).max(500).optional(),
};
export const listExecutionsOptions = z.strictObject(listShape);
export type ListExecutionsOptions = z.output<typeof listExecutionsOptions>;
export const listExecutionsInput = z.strictObject({ workspaceId: fields.id, ...listShape });
export const listExecutionsQuery = z.strictObject({ ...listShape, pageSize: z.coerce.number().int().min(1).max(EXECUTION_LIMITS.pageSize).optional() });

export const getExecutionInput = z.strictObject({ workspaceId: fields.id, executionId: fields.id });
