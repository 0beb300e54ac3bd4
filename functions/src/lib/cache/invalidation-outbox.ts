import type { InvalidationTargets } from "./cache-keys";

/** Keys held before they collapse into their namespaces, which keeps the outbox bounded. */
const MAX_KEYS = 1000;

/**
 * Invalidations that could not reach Redis, kept to be pushed once it answers again. Best effort
 * and per instance: the Firestore triggers, which retry until Redis takes them, are what
 * guarantees that L2 learns about every write.
 */
export function createInvalidationOutbox() {
  const keys = new Map<string, { namespace: string; id: string }>();
  const tags = new Set<string>();
  const namespaces = new Set<string>();

  return {
    add(targets: InvalidationTargets): void {
      for (const key of targets.keys ?? []) keys.set(`${key.namespace}:${key.id}`, { namespace: key.namespace, id: key.id });
      for (const tag of targets.tags ?? []) tags.add(tag);
      for (const namespace of targets.namespaces ?? []) namespaces.add(namespace);
      if (keys.size > MAX_KEYS) {
        for (const key of keys.values()) namespaces.add(key.namespace);
        keys.clear();
      }
    },
    isEmpty: (): boolean => keys.size === 0 && tags.size === 0 && namespaces.size === 0,
    /** Everything pending, emptied; hand it back with `add` if pushing fails. */
    take(): InvalidationTargets {
      const out = { keys: [...keys.values()], tags: [...tags], namespaces: [...namespaces] };
      keys.clear();
      tags.clear();
      namespaces.clear();
      return out;
    },
  };
}

export type InvalidationOutbox = ReturnType<typeof createInvalidationOutbox>;
