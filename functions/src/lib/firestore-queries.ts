/**
 * Every Firestore query of the product runs through `runQuery`: it times the query and, when it
 * is slow, asks Query Explain (re-running it with `analyze: true`) what it scanned and which
 * indexes served it, logged as one `slow_query` record; a "requires an index" refusal becomes a
 * `missing_index` record with the index definition to add, and the caller gets an
 * `UnavailableError` (the query cannot succeed until the index exists). Records name the query
 * and its fields, never the values it filtered on.
 */
import { z } from "zod";
import { systemClock, type Clock } from "./clock";
import { UnavailableError } from "./errors";
import { logger, type Logger } from "./logging";
import { requiredIndexes, type QueryShape } from "./query-shapes";

export { queryShape, type QueryShape } from "./query-shapes";

type ExplainMetricsLike = {
  planSummary: { indexesUsed: Record<string, unknown>[] };
  executionStats: { resultsReturned: number; readOperations: number; debugStats: Record<string, unknown> } | null;
};

/** A query, an aggregation, or a transaction read: what can be awaited and (mostly) explained. */
export type MonitoredQuery<T> = { get(): Promise<T>; explain?: (options: { analyze: boolean }) => Promise<{ metrics: ExplainMetricsLike }> };

export type QueryMonitorOptions = {
  clock?: Clock;
  log?: Pick<Logger, "warn" | "error">;
  /** A query at least this slow is explained and logged. @default SLOW_QUERY_MS or 500 */
  slowMs?: number;
  /**
   * At most one Explain per query name per this long in one instance: an Explain runs the query
   * again, and a slow database must not be asked everything twice. @default 600000 (10 min)
   */
  explainEveryMs?: number;
};

// Parsed here rather than in config.ts's schema so this library module stays self-contained.
const slowQueryEnv = z.object({ SLOW_QUERY_MS: z.coerce.number().int().positive().max(600_000).default(500) });
const DEFAULT_SLOW_MS = slowQueryEnv.parse(process.env).SLOW_QUERY_MS;
const DEFAULT_EXPLAIN_EVERY_MS = 10 * 60_000;
const lastExplained = new Map<string, number>();

/** Runs a query named by its shape; see the module comment. */
export async function runQuery<T>(shape: QueryShape, query: MonitoredQuery<T>, options: QueryMonitorOptions = {}): Promise<T> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? logger;
  const started = clock.now();
  let result: T;
  try {
    result = await query.get();
  } catch (error) {
    if (isMissingIndex(error)) throw missingIndex(shape, error, log);
    throw error;
  }
  const durationMs = clock.now() - started;
  const slowMs = options.slowMs ?? DEFAULT_SLOW_MS;
  if (durationMs >= slowMs) await recordSlowQuery(shape, query, durationMs, slowMs, clock, log, options.explainEveryMs ?? DEFAULT_EXPLAIN_EVERY_MS);
  return result;
}

async function recordSlowQuery<T>(shape: QueryShape, query: MonitoredQuery<T>, durationMs: number, thresholdMs: number, clock: Clock, log: Pick<Logger, "warn">, everyMs: number): Promise<void> {
  const base = { query: shape.name, collectionGroup: shape.collectionGroup, durationMs, thresholdMs };
  const last = lastExplained.get(shape.name);
  const now = clock.now();
  if (!query.explain || (last !== undefined && now - last < everyMs)) {
    log.warn("slow_query", { ...base, explain: query.explain ? "skipped (explained recently)" : "unavailable (transaction or vector read)" });
    return;
  }
  lastExplained.set(shape.name, now);
  try {
    const { metrics } = await query.explain({ analyze: true });
    const stats = metrics.executionStats;
    log.warn("slow_query", {
      ...base,
      indexesUsed: metrics.planSummary.indexesUsed,
      documentsReturned: stats?.resultsReturned ?? null,
      documentsScanned: numberStat(stats?.debugStats, "documents_scanned"),
      indexEntriesScanned: numberStat(stats?.debugStats, "index_entries_scanned"),
      readOperations: stats?.readOperations ?? null,
    });
  } catch (error) {
    // The query itself succeeded: a failed Explain costs the record its details, not the caller.
    log.warn("slow_query", { ...base, explain: `failed: ${error instanceof Error ? error.message : String(error)}` });
  }
}

function numberStat(stats: Record<string, unknown> | undefined, name: string): number | null {
  const value = stats?.[name];
  if (typeof value === "number") return value;
  return typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : null;
}

const FAILED_PRECONDITION = 9;

export function isMissingIndex(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (code === FAILED_PRECONDITION || code === "failed-precondition" || code === "FAILED_PRECONDITION") && /requires an index/i.test(error.message);
}

function missingIndex(shape: QueryShape, error: unknown, log: Pick<Logger, "error">): UnavailableError {
  const message = error instanceof Error ? error.message : "";
  const createUrl = /https:\/\/console\.firebase\.google\.com\/\S+/.exec(message)?.[0] ?? null;
  const add = requiredIndexes(shape).map((r) => (r.kind === "composite" ? r.index : { fieldOverride: r }));
  log.error("missing_index", { query: shape.name, collectionGroup: shape.collectionGroup, createUrl, addToFirestoreIndexesJson: add });
  return new UnavailableError("This query needs a Firestore index that is not deployed yet.", { reason: "missing_index", query: shape.name });
}
