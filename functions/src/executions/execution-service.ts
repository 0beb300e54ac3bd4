import { FieldPath, Timestamp, type Firestore } from "firebase-admin/firestore";
import { appendEvent } from "../events/outbox";
import type { AccessControl } from "../identity/access-control";
import { actorUid, type Principal } from "../identity/principal";
import type { Clock } from "../lib/clock";
import { AppError, NotFoundError, PayloadTooLargeError, UnavailableError, ValidationError } from "../lib/errors";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { parseRecord, type RecordSnapshot } from "../lib/firestore-records";
import { logger } from "../lib/logging";
import { decodeCursor, encodeCursor, type Page } from "../lib/pagination";
import type { RetrievedChunk, RetrieveRequest } from "../knowledge/knowledge-types";
import type { PromptVersionView, RenderedPrompt, VersionSelector } from "../prompts/prompt-types";
import type { GenerateRequest, GenerateResult, LlmProvider } from "../providers/provider-types";
import { EXECUTION_LIMITS } from "./execution-limits";
import { buildMessages, citationsFor, estimateCostUsd, retrievalQueryFrom } from "./execution-messages";
import type { ListExecutionsOptions, RunExecutionBody } from "./execution-schemas";
import { EXECUTIONS, executionPath, executionsPath, storedExecutionSchema, type StoredExecution } from "./execution-records";
import { reservationUnits, settledUnits, type SpendPort } from "./execution-spend";
import { DEFAULT_MODEL_ALLOWLIST, requireRunnableModel, type ModelAllowlist } from "./model-allowlist";
import { toExecutionView, type ExecutionView, type RetrievalUsed } from "./execution-types";
import type { FieldSealer } from "../secrets/sealed-fields";

/** Executions newest first, optionally by prompt and/or status. */
const LIST_EXECUTIONS = queryShape({
  name: "executions.list",
  collectionGroup: EXECUTIONS,
  optionalEquality: ["promptId", "status"],
  orderBy: [["createdAt", "desc"], ["__name__", "desc"]],
});

/** The prompt library as executions use it: resolve a version, render it strictly. */
export type PromptsPort = {
  resolveVersion(principal: Principal, workspaceId: string, promptId: string, selector: VersionSelector): Promise<PromptVersionView>;
  render(version: PromptVersionView, variables: Record<string, unknown>): RenderedPrompt;
};

/** The knowledge base as executions use it. */
export type RetrieverPort = {
  retrieve(principal: Principal, workspaceId: string, request: RetrieveRequest): Promise<RetrievedChunk[]>;
};

export type ExecutionServiceDeps = {
  db: Pick<Firestore, "collection" | "doc" | "batch">;
  clock: Clock;
  access: Pick<AccessControl, "require">;
  prompts: PromptsPort;
  retriever: RetrieverPort;
  /** Resolved per run, so the wiring can pick the provider lazily. */
  provider: () => LlmProvider;
  /** Where runs are charged: the workspace owner's `execute` budget, in token units. */
  spend: SpendPort;
  /** Models each plan may run. @default DEFAULT_MODEL_ALLOWLIST */
  models?: ModelAllowlist;
  /** @default EXECUTION_LIMITS.providerDeadlineMs */
  providerDeadlineMs?: number;
  /** Seals the personal data of a run (`SENSITIVE_EXECUTION_FIELDS`) at write and opens it at read. */
  fields: FieldSealer;
};

/** What a caller put into a run and what came out: personal data, stored encrypted (docs/secrets.md). */
export const SENSITIVE_EXECUTION_FIELDS = ["variablesJson", "output"] as const;

export type RunOptions = {
  /**
   * Receives text deltas as the provider streams them; when given, the provider's `stream` is
   * used. The stored execution is the same either way.
   */
  onDelta?: (text: string) => unknown;
};

/**
 * Errors that are the caller's to fix (bad input, unknown or archived prompt, missing access):
 * they are thrown before any run starts and nothing is stored.
 */
const CALLER_ERROR_CODES = new Set(["invalid-argument", "payload-too-large", "not-found", "permission-denied", "unauthenticated", "failed-precondition"]);

const EXECUTION = { kind: "execution" };

const ZERO_PRICE = { inputPer1k: 0, outputPer1k: 0 };

export function createExecutionService(deps: ExecutionServiceDeps) {
  const { db, clock, access, prompts, retriever } = deps;
  const deadlineMs = deps.providerDeadlineMs ?? EXECUTION_LIMITS.providerDeadlineMs;
  const allowlist = deps.models ?? DEFAULT_MODEL_ALLOWLIST;

  async function retrieve(principal: Principal, workspaceId: string, input: RunExecutionBody, rendered: RenderedPrompt): Promise<{ used: RetrievalUsed | null; chunks: RetrievedChunk[] }> {
    if (!input.retrieval) return { used: null, chunks: [] };
    const used: RetrievalUsed = {
      query: retrievalQueryFrom(rendered, input.retrieval.query),
      documentIds: input.retrieval.documentIds ?? null,
      topK: input.retrieval.topK ?? EXECUTION_LIMITS.defaultTopK,
    };
    const chunks = await retriever.retrieve(principal, workspaceId, { query: used.query, topK: used.topK, ...(used.documentIds ? { documentIds: used.documentIds } : {}) });
    return { used, chunks: chunks.slice(0, used.topK) };
  }

  async function callProvider(provider: LlmProvider, request: GenerateRequest, onDelta: RunOptions["onDelta"]): Promise<GenerateResult> {
    if (!onDelta) return provider.generate(request);
    const stream = provider.stream(request);
    for (;;) {
      const step = await stream.next();
      if (step.done) return step.value;
      try {
        await onDelta(step.value);
      } catch {
        // A client that went away must not fail the run: the result is stored and readable later.
      }
    }
  }

  /** Writes the execution and its outbox event in one batch: both land or neither does. */
  async function store(workspaceId: string, id: string, stored: StoredExecution): Promise<void> {
    const path = executionPath(workspaceId, id);
    const sealed = await deps.fields.seal(path, stored, SENSITIVE_EXECUTION_FIELDS);
    const batch = db.batch();
    batch.create(db.doc(path), sealed);
    const common = { executionId: id, promptId: stored.promptId, version: stored.version, label: stored.label, providerId: stored.providerId, model: stored.model, createdBy: stored.createdBy };
    appendEvent(db, batch, {
      type: stored.status === "completed" ? "execution.completed" : "execution.failed",
      workspaceId,
      subject: `executions/${id}`,
      occurredAt: stored.completedAt.toMillis(),
      data:
        stored.status === "completed"
          ? { ...common, usage: stored.usage, costUsd: stored.costUsd, latencyMs: stored.latencyMs, finishReason: stored.finishReason, citationCount: stored.citations.length }
          : { ...common, error: stored.error, latencyMs: stored.latencyMs },
    });
    try {
      await batch.commit();
    } catch (error) {
      logger.error("execution_store_failed", { workspaceId, executionId: id, errorName: error instanceof Error ? error.name : "unknown" });
      throw new UnavailableError("The execution could not be saved; try again.", { reason: "store-failed" });
    }
  }

  /** A stored run with its sealed fields opened (runs stored before encryption read as they are). */
  async function openRecord(snap: RecordSnapshot): Promise<StoredExecution> {
    return parseRecord(snap.ref.path, await deps.fields.open(snap.ref.path, snap.data()), storedExecutionSchema, EXECUTION);
  }

  return {
    /**
     * Runs a prompt: resolve the version (number, label, else latest), render strictly, check the
     * model (priced, allowed by the payer's plan), reserve its spend from the workspace owner's
     * budget, retrieve context if asked, call the provider, settle the spend at the actual usage,
     * store the execution with its outbox event. Input, access, model and budget problems throw
     * before anything is called or stored; once the run starts, a failure of retrieval or the
     * provider is stored as a failed execution (with `execution.failed`) and thrown typed.
     */
    async run(principal: Principal, workspaceId: string, input: RunExecutionBody, options: RunOptions = {}): Promise<ExecutionView> {
      await access.require(principal, workspaceId, "executions:run");
      const selector: VersionSelector = input.version !== undefined ? { version: input.version } : input.label !== undefined ? { label: input.label } : {};
      const version = await prompts.resolveVersion(principal, workspaceId, input.promptId, selector);
      const rendered = prompts.render(version, input.variables);
      const renderedBytes = Buffer.byteLength(rendered.user, "utf8") + Buffer.byteLength(rendered.system ?? "", "utf8");
      if (renderedBytes > EXECUTION_LIMITS.renderedBytes) {
        throw new PayloadTooLargeError(`The rendered prompt is ${renderedBytes} bytes; the limit is ${EXECUTION_LIMITS.renderedBytes}.`, { limit: EXECUTION_LIMITS.renderedBytes, size: renderedBytes });
      }

      const provider = deps.provider();
      const model = input.model ?? version.model ?? provider.defaultModel;
      const maxOutputTokens = Math.min(input.maxOutputTokens ?? version.maxOutputTokens ?? EXECUTION_LIMITS.maxOutputTokens, EXECUTION_LIMITS.maxOutputTokens);
      const temperature = input.temperature ?? version.temperature;
      const payer = await deps.spend.payer(workspaceId);
      const price = provider.pricing(model);
      requireRunnableModel({ model, priced: price !== undefined, plan: payer.plan, allowlist });
      const reservation = await payer.reserve(reservationUnits(rendered, maxOutputTokens));
      const id = db.collection(executionsPath(workspaceId)).doc().id;
      const startedAt = clock.now();
      const base = {
        workspaceId,
        promptId: input.promptId,
        version: version.version,
        label: input.label ?? null,
        variablesJson: JSON.stringify(input.variables),
        providerId: provider.id,
        createdBy: actorUid(principal),
        createdAt: Timestamp.fromMillis(startedAt),
      };
      const logIds = { workspaceId, executionId: id, promptId: input.promptId, version: version.version, providerId: provider.id };

      let retrieval: Awaited<ReturnType<typeof retrieve>> = { used: null, chunks: [] };
      let providerCalled = false;
      try {
        retrieval = await retrieve(principal, workspaceId, input, rendered);
        const request: GenerateRequest = {
          model,
          messages: buildMessages(rendered, retrieval.chunks),
          maxOutputTokens,
          ...(temperature !== undefined ? { temperature } : {}),
          signal: AbortSignal.timeout(deadlineMs),
        };
        providerCalled = true;
        const result = await callProvider(provider, request, options.onDelta);
        await reservation.settle(settledUnits(result.usage));
        const completedAt = clock.now();
        const stored: StoredExecution = {
          ...base,
          status: "completed",
          output: result.text,
          citations: citationsFor(retrieval.chunks, result.text),
          retrieval: retrieval.used,
          model: result.model || model,
          finishReason: result.finishReason,
          usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens },
          latencyMs: completedAt - startedAt,
          // A provider may report a dated variant of the model asked for; the asked model's price then applies.
          costUsd: estimateCostUsd(provider.pricing(result.model || model) ?? price ?? ZERO_PRICE, result.usage),
          error: null,
          completedAt: Timestamp.fromMillis(completedAt),
          updatedAt: Timestamp.fromMillis(completedAt),
        };
        await store(workspaceId, id, stored);
        logger.info("execution_completed", { ...logIds, model: stored.model, inputTokens: stored.usage.inputTokens, outputTokens: stored.usage.outputTokens, latencyMs: stored.latencyMs, streamed: Boolean(options.onDelta) });
        return toExecutionView(id, stored);
      } catch (error) {
        if (error instanceof AppError && CALLER_ERROR_CODES.has(error.code) && !isProviderError(error)) {
          // Refused before the model was called (retrieval access, input): nothing was generated, so nothing is charged.
          if (!providerCalled) await reservation.settle(0);
          throw error;
        }
        if (error instanceof UnavailableError && error.details?.reason === "store-failed") throw error;
        const typed = asTypedFailure(error, logIds);
        const completedAt = clock.now();
        const stored: StoredExecution = {
          ...base,
          status: "failed",
          output: "",
          citations: citationsFor(retrieval.chunks, ""),
          retrieval: retrieval.used,
          model,
          finishReason: null,
          usage: { inputTokens: 0, outputTokens: 0 },
          latencyMs: completedAt - startedAt,
          costUsd: 0,
          error: { code: typed.code, reason: typeof typed.details?.reason === "string" ? typed.details.reason : null, message: typed.message },
          completedAt: Timestamp.fromMillis(completedAt),
          updatedAt: Timestamp.fromMillis(completedAt),
        };
        await store(workspaceId, id, stored);
        logger.warn("execution_failed", { ...logIds, code: typed.code, reason: stored.error?.reason, latencyMs: stored.latencyMs });
        throw withExecutionId(typed, id);
      }
    },

    async get(principal: Principal, workspaceId: string, executionId: string): Promise<ExecutionView> {
      await access.require(principal, workspaceId, "executions:read");
      const snap = await db.doc(executionPath(workspaceId, executionId)).get();
      if (!snap.exists) throw new NotFoundError("Execution not found.");
      return toExecutionView(executionId, await openRecord(snap));
    },

    /** Newest first; filter by prompt and/or status; a page at a time. */
    async list(principal: Principal, workspaceId: string, options: ListExecutionsOptions = {}): Promise<Page<ExecutionView>> {
      await access.require(principal, workspaceId, "executions:read");
      const pageSize = options.pageSize ?? EXECUTION_LIMITS.defaultPageSize;
      let query = db.collection(executionsPath(workspaceId)).orderBy("createdAt", "desc").orderBy(FieldPath.documentId(), "desc").limit(pageSize);
      if (options.promptId) query = query.where("promptId", "==", options.promptId);
      if (options.status) query = query.where("status", "==", options.status);
      if (options.cursor) {
        const [millis, id] = decodeCursor(options.cursor, 2);
        if (typeof millis !== "number" || typeof id !== "string") throw new ValidationError("Invalid cursor: pass back the nextCursor of a previous page", [{ path: "cursor", message: "Invalid cursor" }]);
        query = query.startAfter(Timestamp.fromMillis(millis), id);
      }
      const snap = await runQuery(LIST_EXECUTIONS, query);
      const records = await Promise.all(snap.docs.map(async (doc) => ({ id: doc.id, stored: await openRecord(doc) })));
      const last = records[records.length - 1];
      return {
        items: records.map(({ id, stored }) => toExecutionView(id, stored)),
        nextCursor: snap.size === pageSize && last ? encodeCursor([last.stored.createdAt.toMillis(), last.id]) : null,
      };
    },
  };
}

export type ExecutionService = ReturnType<typeof createExecutionService>;

/** Errors raised by the provider adapters carry a `provider-*` reason; they are run failures. */
function isProviderError(error: AppError): boolean {
  const reason = error.details?.reason;
  return typeof reason === "string" && reason.startsWith("provider-");
}

/** The typed error a failed run surfaces: ours as they are, anything else as unavailable. */
function asTypedFailure(error: unknown, logIds: Record<string, unknown>): AppError {
  if (error instanceof AppError) return error;
  logger.error("execution_provider_error", { ...logIds, errorName: error instanceof Error ? error.name : "unknown" });
  const name = error instanceof Error || error instanceof DOMException ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError") return new UnavailableError("The model provider did not answer in time.", { reason: "provider-timeout" });
  return new UnavailableError("The model provider failed; try again.", { reason: "provider-error" });
}

/** Names the stored failed execution in the error the caller sees, so it can be fetched. */
function withExecutionId(error: AppError, executionId: string): AppError {
  const details = { ...(error.details ?? {}), executionId };
  Object.defineProperty(error, "details", { value: details, enumerable: true, configurable: true, writable: false });
  return error;
}
