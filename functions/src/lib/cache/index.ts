export { createTwoLevelCache, type Loader, type TwoLevelCache, type TwoLevelCacheOptions } from "./two-level-cache";
export { DEFAULT_CACHE_POLICIES, type CachePolicy, type CachePolicyOverrides, type DataClass } from "./policies";
export { cacheTag, type CacheKey, type CacheKeyRef, type InvalidationTargets } from "./cache-keys";
export type { CacheRedis } from "./l2-store";
export type { CacheMetricsSnapshot, NamespaceCounters } from "./cache-metrics";
export { CacheSerializationError } from "./serialization";
export { passThroughCache, type ReadThroughCache } from "./read-through-cache";
