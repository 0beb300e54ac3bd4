/**
 * One delivery = one event to one function: attempts, backoff, the structured log line and the
 * record `GET /deliveries` shows. Firestore, Storage and scheduler jobs retry here; Pub/Sub
 * retries through its subscription (nack) and only uses `attempt` / `record`.
 */
import type { EmulatorClient, InvokeRequest } from "./emulator-client";
import type { Clock, Logger, TriggerBase } from "./types";
import { backoffMs, sleep, type WorkQueue } from "./work-queue";

export type Source = "firestore" | "storage" | "pubsub" | "scheduler";

export type RetryPolicy = {
  /** Whether a failure is retried at all (the trigger's `retry`, or a scheduler retryCount > 0). */
  retry: boolean;
  maxAttempts: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  maxDoublings?: number;
};

export type Job = {
  trigger: TriggerBase;
  source: Source;
  type: string;
  eventId: string;
  subject?: string;
  /** Deliveries with the same function and order key run in sequence. */
  orderKey: string;
  request: InvokeRequest;
};

export type Outcome = "delivered" | "retrying" | "dead" | "dropped";

export type DeliveryRecord = {
  function: string;
  source: Source;
  type: string;
  eventId: string;
  subject?: string;
  attempt: number;
  outcome: Outcome;
  status: number | null;
  durationMs: number;
  at: string;
  error?: string;
};

export type AttemptResult = { ok: boolean; status: number | null; durationMs: number; error?: string };

export class Deliverer {
  private readonly records: DeliveryRecord[] = [];

  constructor(
    private readonly client: EmulatorClient,
    private readonly queue: WorkQueue,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
    private readonly keep = 1000,
  ) {}

  /** Delivers with retries; resolves with the final outcome, or undefined when the relay stops first. */
  deliver(job: Job, policy: RetryPolicy): Promise<Outcome | undefined> {
    return this.queue.run(`${job.trigger.id}\u0000${job.orderKey}`, async () => {
      for (let attempt = 1; !this.signal.aborted; attempt++) {
        const result = await this.attempt(job);
        if (this.signal.aborted) return undefined;
        const last = !policy.retry || attempt >= policy.maxAttempts;
        const outcome: Outcome = result.ok ? "delivered" : !policy.retry ? "dropped" : last ? "dead" : "retrying";
        this.record(job, attempt, result, outcome);
        if (outcome !== "retrying") return outcome;
        const wait = backoffMs(attempt, policy.minBackoffMs, policy.maxBackoffMs, policy.maxDoublings);
        if (!(await sleep(wait, this.signal))) return undefined;
      }
      return undefined;
    });
  }

  /** One call of the function, in a concurrency slot. */
  attempt(job: Job): Promise<AttemptResult> {
    return this.queue.slot(async () => {
      const started = this.clock.now();
      try {
        const res = await this.client.invoke(job.trigger, job.request, this.signal);
        const ok = res.status >= 200 && res.status < 300;
        return { ok, status: res.status, durationMs: this.clock.now() - started, ...(ok ? {} : { error: res.body.slice(0, 500) }) };
      } catch (err) {
        return { ok: false, status: null, durationMs: this.clock.now() - started, error: err instanceof Error ? err.message : String(err) };
      }
    });
  }

  record(job: Job, attempt: number, result: AttemptResult, outcome: Outcome): void {
    const entry: DeliveryRecord = {
      function: job.trigger.name,
      source: job.source,
      type: job.type,
      eventId: job.eventId,
      ...(job.subject ? { subject: job.subject } : {}),
      attempt,
      outcome,
      status: result.status,
      durationMs: result.durationMs,
      at: new Date(this.clock.now()).toISOString(),
      ...(result.error ? { error: result.error } : {}),
    };
    this.records.push(entry);
    if (this.records.length > this.keep) this.records.shift();
    const { function: fn, type, eventId: id, status, durationMs, error } = entry;
    if (outcome === "delivered") {
      this.log({ severity: "INFO", event: "event_delivered", function: fn, type, id, attempt, status, durationMs });
    } else {
      const severity = outcome === "retrying" ? "WARNING" : "ERROR";
      this.log({ severity, event: "event_delivery_failed", function: fn, type, id, attempt, status, outcome, durationMs, error });
    }
  }

  /** Newest first. */
  recent(limit: number): DeliveryRecord[] {
    return this.records.slice(-limit).reverse();
  }
}
