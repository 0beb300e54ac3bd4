import { isDeepStrictEqual } from "node:util";
import type { CacheKeyRef, InvalidationTargets, TwoLevelCache } from "../lib/cache";
import { longestLifetimeMs } from "../lib/cache/policies";
import type { Clock } from "../lib/clock";
import { UnavailableError } from "../lib/errors";
import { createWorker, PoisonEventError, type WorkerDeps } from "../lib/workers";
import { z } from "zod";
import { apiKeyCacheKeys } from "../api-keys/api-key-cache-keys";
import { identityCacheKeys, identityCacheTags } from "../identity/identity-cache-keys";
import { promptCacheKeys, promptCacheTags } from "../prompts/prompt-cache-keys";
import { workspaceCacheKeys } from "../workspaces/workspace-cache-keys";

/** What a write did to the document: created, changed or deleted it. */
export type DocumentWrite = { created: boolean; deleted: boolean };

/**
 * One cached collection: the document path pattern its trigger listens on, and what a write to
 * one of its documents makes stale. Adding a cached collection is one rule here and one
 * `invalidationTrigger(...)` line in index.ts.
 */
export type InvalidationRule = {
  document: string;
  targets: (ids: Record<string, string>, write: DocumentWrite) => InvalidationTargets;
  /**
   * Fields the cached value may show out of date: an update that changes only these makes
   * nothing stale. @default []
   */
  ignoredFields?: readonly string[];
};

const keys = (...refs: CacheKeyRef[]): InvalidationTargets => ({ keys: refs });

export const CACHE_INVALIDATION_RULES = {
  user: { document: "users/{uid}", targets: ({ uid }) => keys(identityCacheKeys.user(uid)) },
  // A deleted workspace takes its memberships with it.
  workspace: { document: "workspaces/{workspaceId}", targets: ({ workspaceId }, { deleted }) => (deleted ? { tags: [identityCacheTags.workspace(workspaceId)] } : keys(workspaceCacheKeys.workspace(workspaceId))) },
  member: { document: "workspaces/{workspaceId}/members/{uid}", targets: ({ workspaceId, uid }) => keys(identityCacheKeys.member(workspaceId, uid)) },
  // A deleted prompt takes its versions with it.
  prompt: {
    document: "workspaces/{workspaceId}/prompts/{promptId}",
    targets: ({ workspaceId, promptId }, { deleted }) => (deleted ? { tags: [promptCacheTags.prompt(workspaceId, promptId)] } : keys(promptCacheKeys.prompt(workspaceId, promptId))),
  },
  // Version documents are named by their zero-padded number; any other name is not one the
  // service reads by, so the whole prompt is dropped to be safe.
  promptVersion: {
    document: "workspaces/{workspaceId}/prompts/{promptId}/versions/{versionId}",
    targets: ({ workspaceId, promptId, versionId }) =>
      /^\d{1,9}$/.test(versionId) ? keys(promptCacheKeys.promptVersion(workspaceId, promptId, Number(versionId))) : { tags: [promptCacheTags.prompt(workspaceId, promptId)] },
  },
  // `authenticate` rewrites lastUsedAt (and with it updatedAt) once a minute per key; that must not evict the key everywhere.
  apiKey: { document: "apiKeys/{keyId}", targets: ({ keyId }) => keys(apiKeyCacheKeys.apiKey(keyId)), ignoredFields: ["lastUsedAt", "updatedAt"] },
} satisfies Record<string, InvalidationRule>;

/** A document write as the worker adapter hands it over: the path's parameters and both sides' data. */
export const documentWriteSchema = z.object({
  params: z.record(z.string(), z.string()),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
});
export type DocumentWriteEvent = z.infer<typeof documentWriteSchema>;

export type CacheInvalidationDeps = {
  cache: Pick<TwoLevelCache, "invalidate" | "hasL2" | "policies">;
  clock: Clock;
};

/**
 * Invalidates what a document write makes stale, whichever path wrote it. Retryable: when Redis
 * does not take the invalidation it throws so the platform retries. A write whose path lacks a
 * parameter of the rule is poison.
 */
export async function handleCacheInvalidation(rule: InvalidationRule, write: DocumentWriteEvent, { cache: target }: Pick<CacheInvalidationDeps, "cache">): Promise<void> {
  const ids = wildcardValues(rule.document, write.params);
  if (!ids) throw new PoisonEventError(`The event lacks a parameter of ${rule.document}.`);
  const before = write.before !== null;
  const after = write.after !== null;
  if (write.before && write.after && rule.ignoredFields && onlyIgnoredChanged(write.before, write.after, rule.ignoredFields)) return;
  const { propagated } = await target.invalidate(rule.targets(ids, { created: !before && after, deleted: before && !after }));
  if (!propagated && target.hasL2) throw new UnavailableError("Cache invalidation did not reach Redis; the event will be retried.");
}

/**
 * The worker behind each invalidation trigger. Idempotent by itself (invalidating twice is
 * harmless), so no marker; events older than the longest life of any cached value can no longer
 * concern anything and are set aside instead of retried.
 */
export function cacheInvalidationWorker(rule: InvalidationRule, deps: CacheInvalidationDeps & { db: WorkerDeps["db"] }) {
  return createWorker(
    {
      name: `cache.invalidate.${rule.document.split("/").filter((part) => !part.startsWith("{")).join(".")}`,
      payload: documentWriteSchema,
      idempotency: "none",
      maxAgeMs: longestLifetimeMs(deps.cache.policies),
      handle: (write) => handleCacheInvalidation(rule, write, deps),
    },
    { db: deps.db, clock: deps.clock },
  );
}

/** Whether every field outside `ignored` is unchanged. */
function onlyIgnoredChanged(left: Record<string, unknown>, right: Record<string, unknown>, ignored: readonly string[]): boolean {
  const fields = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const field of ignored) fields.delete(field);
  return [...fields].every((field) => isDeepStrictEqual(left[field], right[field]));
}

/** The path's wildcard values, each a non-empty string, or `null` when the event lacks one. */
function wildcardValues(document: string, values: Record<string, unknown>): Record<string, string> | null {
  const names = [...document.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = values[name];
    if (typeof value !== "string" || value.length === 0) return null;
    out[name] = value;
  }
  return out;
}
