import { systemClock } from "../lib/clock";
import { createTwoLevelCache, type CacheKey, type TwoLevelCache } from "../lib/cache";
import { runtimeEnv } from "../lib/config";
import { redis } from "./clients";

/**
 * The keys of the product's cached reads, one builder per kind, so a reader and the invalidation
 * that must reach it cannot spell a key differently. Tags group what one write can make stale:
 * `workspace:<id>` (the workspace and its memberships), `user:<uid>` (the user everywhere).
 */
export const cacheKeys = {
  user: (uid: string): CacheKey => ({ namespace: "users", id: uid, tags: [`user:${uid}`] }),
  workspace: (workspaceId: string): CacheKey => ({ namespace: "workspaces", id: workspaceId, tags: [`workspace:${workspaceId}`] }),
  member: (workspaceId: string, uid: string): CacheKey => ({ namespace: "members", id: `${workspaceId}:${uid}`, tags: [`workspace:${workspaceId}`, `user:${uid}`] }),
};

export const cacheTags = {
  user: (uid: string) => `user:${uid}`,
  workspace: (workspaceId: string) => `workspace:${workspaceId}`,
};

let built: TwoLevelCache | undefined;

/**
 * This instance's cache, built on first use over the shared Redis client. Without Redis
 * (`redis()` is `null`) it runs as L1 plus loader, with L1 entries living at most the staleness
 * bound, so instances still cannot disagree for long.
 */
export function cache(): TwoLevelCache {
  if (!built) built = createTwoLevelCache({ redis: redis(), clock: systemClock, redisTimeoutMs: runtimeEnv().REDIS_TIMEOUT_MS });
  return built;
}

/** Tests swap in a cache wired to their own Redis (or none). */
export function overrideCache(next: TwoLevelCache | undefined): void {
  built = next;
}
