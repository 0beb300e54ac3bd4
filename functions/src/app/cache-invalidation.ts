import { isDeepStrictEqual } from "node:util";
import type { CacheKeyRef, InvalidationTargets, TwoLevelCache } from "../lib/cache";
import { longestLifetimeMs } from "../lib/cache/policies";
import type { Clock } from "../lib/clock";
import { UnavailableError } from "../lib/errors";
import { logger } from "../lib/logging";
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
  // `authenticate` rewrites lastUsedAt once a minute per key; that must not evict the key everywhere.
  apiKey: { document: "apiKeys/{keyId}", targets: ({ keyId }) => keys(apiKeyCacheKeys.apiKey(keyId)), ignoredFields: ["lastUsedAt"] },
} satisfies Record<string, InvalidationRule>;

/** A side of a write as the event carries it; `data()` is only read for rules with `ignoredFields`. */
type WrittenSnapshot = { exists: boolean; data?: () => Record<string, unknown> | undefined };

/** The part of a Firestore `onDocumentWritten` event the handler reads. */
export type DocumentWrittenEvent = {
  params: Record<string, string>;
  time: string;
  data?: { before?: WrittenSnapshot; after?: WrittenSnapshot };
};

export type CacheInvalidationDeps = {
  cache: Pick<TwoLevelCache, "invalidate" | "hasL2" | "policies">;
  clock: Clock;
};

/**
 * Invalidates what a document write makes stale, whichever path wrote it. Retryable: when
 * Redis does not take the invalidation the handler throws so the platform retries, except for
 * events older than the longest life of any cached value, which can no longer concern anything.
 */
export async function handleCacheInvalidation(rule: InvalidationRule, event: DocumentWrittenEvent, { cache: target, clock }: CacheInvalidationDeps): Promise<void> {
  const ids = wildcardValues(rule.document, event.params);
  if (!ids) {
    logger.error("cache_invalidation_bad_event", { document: rule.document });
    return;
  }
  const ageMs = clock.now() - Date.parse(event.time);
  if (ageMs > longestLifetimeMs(target.policies)) {
    logger.warn("cache_invalidation_event_expired", { document: rule.document, ageMs });
    return;
  }
  const before = event.data?.before?.exists ?? false;
  const after = event.data?.after?.exists ?? false;
  if (before && after && rule.ignoredFields && onlyIgnoredChanged(event.data?.before, event.data?.after, rule.ignoredFields)) return;
  const { propagated } = await target.invalidate(rule.targets(ids, { created: !before && after, deleted: before && !after }));
  if (!propagated && target.hasL2) throw new UnavailableError("Cache invalidation did not reach Redis; the event will be retried.");
}

/** Whether every field outside `ignored` is unchanged; unreadable data counts as changed. */
function onlyIgnoredChanged(before: WrittenSnapshot | undefined, after: WrittenSnapshot | undefined, ignored: readonly string[]): boolean {
  const left = before?.data?.();
  const right = after?.data?.();
  if (!left || !right) return false;
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

/** The handler of a rule's trigger; `deps` is asked per event (the composition root, or a test's own). */
export function invalidationHandler(rule: InvalidationRule, deps: () => CacheInvalidationDeps) {
  return (event: DocumentWrittenEvent) => handleCacheInvalidation(rule, event, deps());
}
