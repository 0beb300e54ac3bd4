/**
 * Concurrent calls for one key share one run: the first caller starts it, the others await the
 * same promise, and the key is free again once it settles (success or failure).
 */
export function createSingleFlight() {
  const inFlight = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const running = inFlight.get(key);
      if (running) return running as Promise<T>;
      const started = (async () => {
        try {
          return await work();
        } finally {
          inFlight.delete(key);
        }
      })();
      inFlight.set(key, started);
      return started;
    },
    has: (key: string): boolean => inFlight.has(key),
    size: (): number => inFlight.size,
  };
}

export type SingleFlight = ReturnType<typeof createSingleFlight>;
