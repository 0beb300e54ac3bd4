import { z } from "zod";
import { jsonTextField, timestampField } from "../lib/firestore-records";

/**
 * Firestore layout of executions: `workspaces/{w}/executions/{id}`, one run each, written once
 * (with its outbox event) and never changed. Variables are kept as JSON text: values of `json`
 * variables may nest arrays, which Firestore fields cannot hold.
 */
export const EXECUTIONS = "executions";

export function executionsPath(workspaceId: string): string {
  return `workspaces/${workspaceId}/${EXECUTIONS}`;
}

export const executionPath = (workspaceId: string, executionId: string) => `${executionsPath(workspaceId)}/${executionId}`;

const count = z.number().int().nonnegative();

/** The variables a run was given: a JSON object. */
export const executionVariablesSchema = z.record(z.string(), z.unknown());

export const storedExecutionSchema = z.object({
  workspaceId: z.string(),
  promptId: z.string(),
  version: count,
  /** The label the caller selected the version by, if any. */
  label: z.string().nullable(),
  variablesJson: jsonTextField(executionVariablesSchema),
  status: z.enum(["completed", "failed"]),
  output: z.string(),
  citations: z.array(
    z.object({ index: count, documentId: z.string(), chunkId: z.string(), title: z.string(), score: z.number(), snippet: z.string(), cited: z.boolean() }),
  ),
  retrieval: z.object({ query: z.string(), documentIds: z.array(z.string()).nullable(), topK: count }).nullable(),
  providerId: z.string(),
  model: z.string(),
  finishReason: z.enum(["stop", "length", "error"]).nullable(),
  usage: z.object({ inputTokens: count, outputTokens: count }),
  latencyMs: z.number().nonnegative(),
  /** Estimate from the provider's price table, USD. */
  costUsd: z.number().nonnegative(),
  /** A safe, stable description of why a run failed: our own code and message, never upstream text. */
  error: z.object({ code: z.string(), reason: z.string().nullable(), message: z.string() }).nullable(),
  createdBy: z.string(),
  createdAt: timestampField,
  completedAt: timestampField,
  /** Moved by every write, so the hourly backup sees the change (optional: records older than the field still read). */
  updatedAt: timestampField.optional(),
});
export type StoredExecution = z.infer<typeof storedExecutionSchema>;
