import { onCall } from "firebase-functions/v2/https";
import { callableOptions } from "../app/function-options";
import { services } from "../app/services";
import { callableHandler } from "../lib/callable";
import { llmSecrets } from "../providers/openai-params";
import { EXECUTION_LIMITS, EXECUTION_RATE_LIMIT_COST } from "./execution-limits";
import { getExecutionInput, listExecutionsInput, runExecutionInput } from "./execution-schemas";

/** A streamed piece of the output; the pieces concatenate to the stored `output`. */
export type ExecutionChunk = { delta: string };

/**
 * Runs a prompt. Clients that call it with streaming (`httpsCallable(...).stream()`) receive
 * `{ delta }` chunks as the provider produces them; every client receives the stored execution.
 */
export const runExecutionHandler = callableHandler({
  name: "executions.run",
  input: runExecutionInput,
  parse: { maxBytes: EXECUTION_LIMITS.requestBytes },
  rateLimit: { policy: "execute", cost: EXECUTION_RATE_LIMIT_COST },
  handle: ({ workspaceId, ...body }, caller, request, response) => {
    const stream = request.acceptsStreaming && response ? response : undefined;
    return services().executions.run({ kind: "user", uid: caller.uid }, workspaceId, body, stream ? { onDelta: (delta) => stream.sendChunk({ delta } satisfies ExecutionChunk) } : {});
  },
});

export const getExecutionHandler = callableHandler({
  name: "executions.get",
  input: getExecutionInput,
  rateLimit: { policy: "read" },
  handle: ({ workspaceId, executionId }, caller) => services().executions.get({ kind: "user", uid: caller.uid }, workspaceId, executionId),
});

export const listExecutionsHandler = callableHandler({
  name: "executions.list",
  input: listExecutionsInput,
  rateLimit: { policy: "read" },
  handle: ({ workspaceId, ...options }, caller) => services().executions.list({ kind: "user", uid: caller.uid }, workspaceId, options),
});

/** Only the run calls the provider, so only it holds the provider key; it may wait on retries. */
export const runExecution = onCall({ ...callableOptions, secrets: [...(callableOptions.secrets ?? []), ...llmSecrets], timeoutSeconds: 180 }, runExecutionHandler);
export const getExecution = onCall(callableOptions, getExecutionHandler);
export const listExecutions = onCall(callableOptions, listExecutionsHandler);
