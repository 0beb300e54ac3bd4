import { z } from "zod";
import { operation } from "../api/operation";
import { EXECUTION_LIMITS } from "./execution-limits";
import { executionStatus, getExecutionInput, listExecutionsInput, runExecutionInput } from "./execution-schemas";
import type { ExecutionService } from "./execution-service";

type Deps = { executions: ExecutionService };

const BASE = "/v1/workspaces/{workspaceId}/executions";

/** A streamed piece of the output; the pieces concatenate to the stored `output`. */
export type ExecutionChunk = { delta: string };

const citationView = z.object({
  index: z.number(),
  documentId: z.string(),
  chunkId: z.string(),
  title: z.string(),
  score: z.number(),
  snippet: z.string(),
  cited: z.boolean(),
});

export const executionView = z.object({
  id: z.string(),
  workspaceId: z.string(),
  promptId: z.string(),
  version: z.number(),
  label: z.string().nullable(),
  variables: z.record(z.string(), z.unknown()),
  status: executionStatus,
  output: z.string(),
  citations: z.array(citationView),
  retrieval: z.object({ query: z.string(), documentIds: z.array(z.string()).nullable(), topK: z.number() }).nullable(),
  providerId: z.string(),
  model: z.string(),
  finishReason: z.enum(["stop", "length", "error"]).nullable(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }),
  latencyMs: z.number(),
  costUsd: z.number(),
  error: z.object({ code: z.string(), reason: z.string().nullable(), message: z.string() }).nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  completedAt: z.string(),
});

/** Executions: a prompt version run with retrieved context through the LLM provider, recorded. */
export const executionOperations = {
  runExecution: operation({
    name: "executions.run",
    callable: "runExecution",
    rest: { method: "POST", path: BASE, successStatus: 201 },
    summary: "Run a prompt (a version, a label, or the latest) with variables and optional retrieval; returns the stored execution.",
    tags: ["executions"],
    action: "executions:run",
    usesLlm: true,
    // Calls are limited per caller like any write; the tokens are reserved by the service from the
    // workspace owner's `execute` budget and settled after the run (execution-spend.ts).
    rateLimit: { policy: "write", spend: "execute" },
    input: runExecutionInput,
    maxInputBytes: EXECUTION_LIMITS.requestBytes,
    output: executionView,
    // Callers that accept a stream receive `{ delta }` chunks as the provider produces them.
    run: ({ executions }: Deps, principal, { workspaceId, ...body }, { onDelta }) => executions.run(principal, workspaceId, body, onDelta ? { onDelta } : {}),
  }),
  getExecution: operation({
    name: "executions.get",
    callable: "getExecution",
    rest: { method: "GET", path: `${BASE}/{executionId}` },
    summary: "Get one execution.",
    tags: ["executions"],
    action: "executions:read",
    rateLimit: { policy: "read" },
    input: getExecutionInput,
    output: executionView,
    run: ({ executions }: Deps, principal, { workspaceId, executionId }) => executions.get(principal, workspaceId, executionId),
  }),
  listExecutions: operation({
    name: "executions.list",
    callable: "listExecutions",
    rest: { method: "GET", path: BASE },
    summary: "List executions, newest first, optionally by prompt and status.",
    tags: ["executions"],
    action: "executions:read",
    rateLimit: { policy: "read" },
    input: listExecutionsInput,
    output: z.object({ items: z.array(executionView), nextCursor: z.string().nullable() }),
    run: ({ executions }: Deps, principal, { workspaceId, ...options }) => executions.list(principal, workspaceId, options),
  }),
};
