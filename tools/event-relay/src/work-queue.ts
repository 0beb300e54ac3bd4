/**
 * Ordering and concurrency of deliveries: tasks with the same key run one after another (one
 * function, one document path or ordering key), different keys run side by side, at most
 * `limit` requests in flight overall. A task holds a slot only while it calls the function,
 * never while it waits for a backoff.
 */
export class WorkQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly waiting: (() => void)[] = [];
  private inFlight = 0;

  constructor(private readonly limit: number) {}

  /** Runs `task` after every earlier task of `key` has settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Runs `fn` in one of the `limit` slots. */
  async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    try {
      return await fn();
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }
}

/** Resolves after `ms`, or at once (false) when `signal` aborts; never leaves a timer behind. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** `min · 2^(attempt-1)`, doubling at most `maxDoublings` times, capped at `max`. */
export function backoffMs(attempt: number, minMs: number, maxMs: number, maxDoublings = Infinity): number {
  const doublings = Math.min(Math.max(attempt - 1, 0), maxDoublings);
  return Math.min(minMs * 2 ** doublings, maxMs);
}
