import { decodeJsonText } from "../lib/firestore-records";
import type { GenerateResult, TokenUsage } from "../providers/provider-types";
import type { Citation } from "./execution-messages";
import { executionVariablesSchema, type StoredExecution } from "./execution-records";

/** The Firestore layout of executions lives in `execution-records.ts`; re-exported for existing importers. */
export { EXECUTIONS, executionsPath, type StoredExecution } from "./execution-records";

export type ExecutionStatus = "completed" | "failed";

/** A safe, stable description of why a run failed: our own code and message, never upstream text. */
export type ExecutionError = { code: string; reason: string | null; message: string };

export type RetrievalUsed = { query: string; documentIds: string[] | null; topK: number };

/** An execution as the API returns it. */
export type ExecutionView = {
  id: string;
  workspaceId: string;
  promptId: string;
  version: number;
  /** The label the caller selected the version by, if any. */
  label: string | null;
  variables: Record<string, unknown>;
  status: ExecutionStatus;
  output: string;
  citations: Citation[];
  retrieval: RetrievalUsed | null;
  providerId: string;
  model: string;
  finishReason: GenerateResult["finishReason"] | null;
  usage: TokenUsage;
  latencyMs: number;
  /** Estimate from the provider's price table, USD. */
  costUsd: number;
  error: ExecutionError | null;
  createdBy: string;
  createdAt: string;
  completedAt: string;
};

export function toExecutionView(id: string, stored: StoredExecution): ExecutionView {
  // `updatedAt` is bookkeeping for backups, not part of the API view.
  const { variablesJson, createdAt, completedAt, updatedAt: _updatedAt, ...rest } = stored;
  return {
    id,
    ...rest,
    variables: decodeJsonText(variablesJson, executionVariablesSchema),
    createdAt: createdAt.toDate().toISOString(),
    completedAt: completedAt.toDate().toISOString(),
  };
}
