import type { TwoLevelCache } from "./two-level-cache";

/**
 * What a domain service uses of the cache: read through it, and invalidate what it writes.
 * A `TwoLevelCache` is one; tests may hand in `passThroughCache`.
 */
export type ReadThroughCache = Pick<TwoLevelCache, "getOrLoad" | "invalidate">;

/** Caches nothing: every read calls its loader, every invalidation is a no-op. */
export const passThroughCache: ReadThroughCache = {
  getOrLoad: async (_key, loader) => (await loader()) ?? null,
  invalidate: async () => ({ propagated: false }),
};
