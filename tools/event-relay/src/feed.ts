/**
 * Long-polls one change feed (tools/firestore-server or tools/storage-server) and hands every
 * change to `handle`. The saved cursor is the highest seq below which every change's deliveries
 * have finished (delivered, dead or dropped), so a restart re-delivers at most what was in flight:
 * at least once, never skipped.
 */
import type { CursorStore } from "./cursor-store";
import type { Logger } from "./types";
import { sleep } from "./work-queue";

export type FeedPage<C> = { changes: C[]; lastSeq: number; truncated?: boolean };

export type FeedSpec<C extends { seq: number }> = {
  /** Cursor key in the state file and name in logs. */
  name: string;
  head(signal: AbortSignal): Promise<number>;
  page(after: number, waitMs: number, signal: AbortSignal): Promise<FeedPage<C>>;
  /** Starts the deliveries of one change; each resolves undefined if the relay stopped first. */
  handle(change: C): Promise<unknown>[];
};

export type FeedOptions = { waitMs: number; retryMs: number; maxPending: number };

export class FeedRunner<C extends { seq: number }> {
  private readonly pending = new Set<number>();
  private fetched = 0;
  private done: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  private markReady: () => void = () => undefined;
  /** Resolves once the feed has its starting cursor (or the relay stopped first). */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    private readonly spec: FeedSpec<C>,
    private readonly cursors: CursorStore,
    private readonly log: Logger,
    private readonly signal: AbortSignal,
    private readonly options: FeedOptions,
  ) {}

  start(): void {
    this.done = this.loop()
      .catch((err: unknown) => {
        this.log({ severity: "ERROR", event: "feed_stopped", feed: this.spec.name, error: String(err) });
      })
      .finally(() => this.markReady());
  }

  /** Resolves once the loop has ended (after the relay's signal aborts). */
  stopped(): Promise<void> {
    return this.done;
  }

  private async loop(): Promise<void> {
    let after = await this.retrying(async () => this.cursors.get(this.spec.name) ?? (await this.spec.head(this.signal)));
    if (after === undefined) return;
    this.fetched = after;
    await this.cursors.set(this.spec.name, after);
    this.log({ severity: "INFO", event: "feed_started", feed: this.spec.name, after });
    this.markReady();
    while (!this.signal.aborted) {
      if (this.pending.size >= this.options.maxPending) await this.nextCompletion();
      const from = after;
      const page = await this.retrying(() => this.spec.page(from, this.options.waitMs, this.signal));
      if (!page || this.signal.aborted) return;
      if (page.truncated && page.lastSeq < after) {
        // The server restarted (its feed lives in memory): its changes are all new to us.
        this.log({ severity: "WARNING", event: "feed_restarted", feed: this.spec.name, after, lastSeq: page.lastSeq });
        while (this.pending.size > 0) await this.nextCompletion();
        after = this.fetched = 0;
        await this.cursors.set(this.spec.name, 0);
        continue;
      }
      if (page.truncated) this.log({ severity: "WARNING", event: "feed_truncated", feed: this.spec.name, after });
      for (const change of page.changes) this.track(change);
      after = Math.max(after, page.lastSeq);
      this.fetched = after;
      if (this.pending.size === 0) await this.cursors.set(this.spec.name, after);
    }
  }

  private nextCompletion(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.signal.removeEventListener("abort", done);
        resolve();
      };
      this.wake = done;
      this.signal.addEventListener("abort", done, { once: true });
    });
  }

  private track(change: C): void {
    this.pending.add(change.seq);
    void Promise.all(this.spec.handle(change)).then((outcomes) => {
      if (outcomes.some((o) => o === undefined) && this.signal.aborted) return;
      this.pending.delete(change.seq);
      const cursor = this.pending.size > 0 ? Math.min(...this.pending) - 1 : this.fetched;
      void this.cursors.set(this.spec.name, cursor);
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    });
  }

  /** Runs `fn` until it succeeds, logging an outage once; undefined when the relay stops. */
  private async retrying<T>(fn: () => Promise<T>): Promise<T | undefined> {
    let down = false;
    while (!this.signal.aborted) {
      try {
        const value = await fn();
        if (down) this.log({ severity: "INFO", event: "feed_available", feed: this.spec.name });
        return value;
      } catch (err) {
        if (this.signal.aborted) return undefined;
        if (!down) this.log({ severity: "WARNING", event: "feed_unavailable", feed: this.spec.name, error: String(err) });
        down = true;
        if (!(await sleep(this.options.retryMs, this.signal))) return undefined;
      }
    }
    return undefined;
  }
}
