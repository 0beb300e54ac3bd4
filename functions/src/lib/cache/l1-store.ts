import { LRUCache } from "lru-cache";
import type { CacheKeyRef, InvalidationTargets } from "./cache-keys";
import { entryId } from "./cache-keys";

/** One decoded, frozen value held in this instance. */
export type L1Entry = {
  namespace: string;
  tags: readonly string[];
  /** The decoded value; `null` for a remembered not-found. */
  value: unknown;
  /** Fresh until then (ms, cache clock). */
  expiresAt: number;
  /** When this value was last known current (read from L2 or the loader started). */
  confirmedAt: number;
  /** Encoded size, which the byte bound counts. */
  bytes: number;
};

export type L1Options = {
  /** @default 10_000 */
  maxEntries?: number;
  /** @default 32 MiB */
  maxBytes?: number;
  onEvict?: (namespace: string) => void;
};

/**
 * The in-process level: `lru-cache` bounded by entry count and by encoded bytes. Freshness is
 * judged by the caller against the cache clock, so LRU order is the only eviction policy here.
 */
export function createL1Store({ maxEntries = 10_000, maxBytes = 32 * 1024 * 1024, onEvict }: L1Options = {}) {
  const lru = new LRUCache<string, L1Entry>({
    max: maxEntries,
    maxSize: maxBytes,
    // A minimum of one keeps zero-length payloads countable; overhead per entry is not modelled.
    sizeCalculation: (entry) => Math.max(1, entry.bytes),
    dispose: (entry, _key, reason) => {
      if (reason === "evict") onEvict?.(entry.namespace);
    },
  });

  return {
    get: (id: string): L1Entry | undefined => lru.get(id),
    /** Entries larger than the whole byte bound are simply not kept. */
    set(id: string, entry: L1Entry): void {
      if (entry.bytes > maxBytes) return;
      lru.set(id, entry);
    },
    delete: (id: string): void => {
      lru.delete(id);
    },
    clear: (): void => lru.clear(),
    /**
     * Drops every entry a set of invalidations touches. Tags and namespaces need a scan, which
     * is fine: invalidations are rare next to reads and the store is bounded.
     */
    invalidate(targets: InvalidationTargets): void {
      for (const key of targets.keys ?? []) lru.delete(entryId(key as CacheKeyRef));
      const tags = new Set(targets.tags ?? []);
      const namespaces = new Set(targets.namespaces ?? []);
      if (tags.size === 0 && namespaces.size === 0) return;
      const doomed: string[] = [];
      for (const [id, entry] of lru.entries()) {
        if (namespaces.has(entry.namespace) || entry.tags.some((tag) => tags.has(tag))) doomed.push(id);
      }
      for (const id of doomed) lru.delete(id);
    },
    stats: () => ({ entries: lru.size, bytes: lru.calculatedSize }),
  };
}

export type L1Store = ReturnType<typeof createL1Store>;
