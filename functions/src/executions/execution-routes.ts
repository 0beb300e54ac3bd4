import { z } from "zod";
import { route } from "../api/route";
import { services } from "../app/services";
import { fields } from "../lib/validation";
import { EXECUTION_LIMITS, EXECUTION_RATE_LIMIT_COST } from "./execution-limits";
import { executionStatus, listExecutionsQuery, runExecutionBody } from "./execution-schemas";

const BASE = "/v1/workspaces/{workspaceId}/executions";
const workspaceParams = z.strictObject({ workspaceId: fields.id });
const executionParams = z.strictObject({ workspaceId: fields.id, executionId: fields.id });
const executions = () => services().executions;

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

export const executionRoutes = [
  route({
    method: "POST",
    path: BASE,
    summary: "Run a prompt (a version, a label, or the latest) with variables and optional retrieval; returns the stored execution.",
    tags: ["executions"],
    scope: "executions:run",
    rateLimit: { policy: "execute", cost: EXECUTION_RATE_LIMIT_COST },
    params: workspaceParams,
    body: runExecutionBody,
    maxBodyBytes: EXECUTION_LIMITS.requestBytes,
    response: executionView,
    successStatus: 201,
    handle: ({ principal, params, body }) => executions().run(principal, params.workspaceId, body),
  }),
  route({
    method: "GET",
    path: `${BASE}/{executionId}`,
    summary: "Get one execution.",
    tags: ["executions"],
    scope: "executions:read",
    rateLimit: { policy: "read" },
    params: executionParams,
    response: executionView,
    handle: ({ principal, params }) => executions().get(principal, params.workspaceId, params.executionId),
  }),
  route({
    method: "GET",
    path: BASE,
    summary: "List executions, newest first, optionally by prompt and status.",
    tags: ["executions"],
    scope: "executions:read",
    rateLimit: { policy: "read" },
    params: workspaceParams,
    query: listExecutionsQuery,
    response: z.object({ items: z.array(executionView), nextCursor: z.string().nullable() }),
    handle: ({ principal, params, query }) => executions().list(principal, params.workspaceId, query),
  }),
];
