import { randomUUID } from "node:crypto";
import type { Redis } from "@upstash/redis";
import type { Clock } from "../clock";
import { ioTimeout } from "../io-timeout";
import { redisKey, REDIS_PREFIX } from "../redis-keys";
import { latencyBucket, metricField, outcomeClass } from "./metric-fields";

/** One finished request (callable, REST route, `/health`, worker run). */
export type RequestSample = {
  /** `callable:<operation>`, `rest:<METHOD> <path>`, `health`, `worker:<name>`. */
  api: string;
  /** `ok`, an HttpsError code, or an HTTP status. */
  code: string;
  ms: number;
};

/** A condition that should reach an alert at once rather than at the next minute's evaluation. */
export type CriticalSignal = { kind: "server-error-burst" | "redis-unreachable" | (string & {}); count: number; windowMs: number; at: number; detail?: string };

/** What the request paths see of the recorder: synchronous counting, and a tail that may flush. */
export type RequestObserver = {
  request(sample: RequestSample): void;
  count(counter: string, by?: number): void;
  /** Call once a request's work is done: flushes when due, waiting at most `tailWaitMs`. Never throws. */
  tail(): Promise<void>;
};

/** Counts that live elsewhere (rate-limit and cache counters): read and reset at each flush. */
export type CounterSource = () => Record<string, number>;

export type MetricsRecorderOptions = {
  /** Null: counts stay in this instance (`snapshot()`), nothing is aggregated. */
  redis: Pick<Redis, "pipeline" | "set"> | null;
  clock: Clock;
  /** At most one flush per this long per instance. @default 1000 */
  flushEveryMs?: number;
  /** A flush is due at once when this many distinct fields wait. @default 200 */
  maxPendingFields?: number;
  /** The longest a request's tail waits for a flush (the flush goes on after it). @default 15 */
  tailWaitMs?: number;
  /** A flush that takes longer has failed (its counts are kept for the next). @default 500 */
  timeoutMs?: number;
  /** Minute hashes live this long in Redis: the rollup reads them well before. @default 3 h */
  ttlSeconds?: number;
  /** Called when a flush won the once-a-second live-view slot (one instance at a time, globally). */
  onLiveSlot?: (minuteStart: number) => Promise<void>;
  /** Called at most once per `criticalCooldownMs` per kind; must not throw or block. */
  onCritical?: (signal: CriticalSignal) => void;
  /** Server errors within `burstWindowMs` that make a burst. @default 5 */
  burstThreshold?: number;
  /** @default 10000 */
  burstWindowMs?: number;
  /** Counters whose growth is critical (e.g. dead letters): threshold within `burstWindowMs`. */
  criticalCounters?: Record<string, { threshold: number; kind: string }>;
  /** @default 60000 */
  criticalCooldownMs?: number;
};

/** The Redis hash of the minute starting at `minuteStart` (epoch ms). */
export const minuteKey = (minuteStart: number) => redisKey(REDIS_PREFIX.monitoring, "m", minuteStart);
/** The ids of the batches a minute's hash has applied (APPLY_BATCH). */
const appliedBatchesKey = (minuteStart: number) => redisKey(REDIS_PREFIX.monitoring, "applied", minuteStart);
/** Held 1 s by the instance whose flush publishes the live view. */
export const LIVE_SLOT_KEY = redisKey(REDIS_PREFIX.monitoring, "live");
export const minuteOf = (ms: number) => Math.floor(ms / 60_000) * 60_000;

// Pending counts are capped so an instance that cannot reach Redis for long keeps flat memory.
const MAX_RETAINED_FIELDS = 5_000;

/**
 * Adds one batch to a minute's hash once: the batch id goes into the minute's set of applied
 * batches first, so a batch sent again after a timeout (whose first send may have landed) is not
 * counted twice. KEYS: the minute hash, its applied-batches set. ARGV: ttl seconds, batch id,
 * then field, increment pairs. Returns 1 when applied, 0 when it had been.
 */
const APPLY_BATCH = `
if redis.call('SADD', KEYS[2], ARGV[2]) == 0 then return 0 end
for i = 3, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 1`;

/** A flush's counts, kept whole (same id, same minute) until Redis has them. */
type Batch = { id: string; minute: number; fields: Map<string, number> };

/**
 * Request and feature counters for every function, aggregated across instances without a cost a
 * request can feel: counting is a synchronous map update; at most once a second (or when many
 * fields wait) the tail of a request sends everything in one pipelined Redis call (HINCRBY into
 * the current minute's hash through one script that applies each batch once, and a 1-second
 * `SET NX` that elects one instance globally to refresh the live view). Counts go to the minute of
 * the flush, not of the request: a late flush lands in a minute the rollup has not read yet, so
 * nothing is dropped by being late.
 *
 * Fail-open: metrics never fail or slow a request past `tailWaitMs`. A failed flush keeps its
 * batch whole and sends it again, same id, with the next one: a batch whose first send landed
 * although it timed out is not counted twice (APPLY_BATCH), and none is lost while it stays
 * under the cap. It raises `redis-unreachable`. Cloud Functions throttles CPU
 * once a response is sent, so correctness never depends on a timer: an idle instance's counts
 * wait for its next request (an unref'd timer tries earlier when the CPU allows).
 */
export function createMetricsRecorder(options: MetricsRecorderOptions) {
  const { redis, clock } = options;
  const flushEveryMs = options.flushEveryMs ?? 1000;
  const maxPendingFields = options.maxPendingFields ?? 200;
  const tailWaitMs = options.tailWaitMs ?? 15;
  const timeoutMs = options.timeoutMs ?? 500;
  const ttlSeconds = options.ttlSeconds ?? 3 * 3600;
  const burstThreshold = options.burstThreshold ?? 5;
  const burstWindowMs = options.burstWindowMs ?? 10_000;
  const cooldownMs = options.criticalCooldownMs ?? 60_000;
  const sources: CounterSource[] = [];

  let pending = new Map<string, number>();
  /** Batches sent but not confirmed, oldest first (their fields count toward the cap). */
  let unconfirmed: Batch[] = [];
  let lastFlush = clock.now();
  let inFlight: Promise<boolean> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let liveRetry: NodeJS.Timeout | undefined;
  const recent = new Map<string, number[]>();
  const lastSignal = new Map<string, number>();
  const totals = new Map<string, number>();

  function add(field: string, by: number): void {
    if (by === 0) return;
    pending.set(field, (pending.get(field) ?? 0) + by);
    totals.set(field, (totals.get(field) ?? 0) + by);
  }

  function signal(kind: string, count: number, detail?: string): void {
    const now = clock.now();
    const last = lastSignal.get(kind);
    if (last !== undefined && now - last < cooldownMs) return;
    lastSignal.set(kind, now);
    try {
      options.onCritical?.({ kind, count, windowMs: burstWindowMs, at: now, ...(detail ? { detail } : {}) });
    } catch {
      // A signal is best effort: the minute evaluation sees the same condition.
    }
  }

  /** Counts an occurrence of `kind` and raises it once `threshold` fall within the burst window. */
  function burst(kind: string, threshold: number, by: number, detail?: string): void {
    const now = clock.now();
    const times = (recent.get(kind) ?? []).filter((t) => now - t < burstWindowMs);
    for (let i = 0; i < by && times.length < threshold * 4; i++) times.push(now);
    recent.set(kind, times);
    if (times.length >= threshold) signal(kind, times.length, detail);
  }

  function drainSources(): void {
    for (const read of sources) {
      try {
        for (const [name, value] of Object.entries(read())) add(metricField.counter(name), value);
      } catch {
        // A broken source costs its own counts only.
      }
    }
  }

  async function flush(): Promise<boolean> {
    if (inFlight) return inFlight;
    drainSources();
    lastFlush = clock.now();
    if (!redis || (pending.size === 0 && unconfirmed.length === 0)) return true;
    const minute = minuteOf(clock.now());
    const batches = [...unconfirmed, ...(pending.size > 0 ? [{ id: randomUUID(), minute, fields: pending }] : [])];
    pending = new Map();
    unconfirmed = [];
    inFlight = (async () => {
      let timer: { cancel(): void } | undefined;
      try {
        const pipeline = redis.pipeline();
        for (const batch of batches) {
          const args: Array<string | number> = [ttlSeconds, batch.id];
          for (const [field, by] of batch.fields) args.push(field, by);
          pipeline.eval(APPLY_BATCH, [minuteKey(batch.minute), appliedBatchesKey(batch.minute)], args);
        }
        pipeline.set(LIVE_SLOT_KEY, minute, { nx: true, px: 1000 });
        const run = pipeline.exec();
        run.catch(() => {});
        // Bounds Redis, not this instance's backlog (lib/io-timeout.ts).
        const results = await Promise.race([
          run,
          new Promise<never>((_, reject) => {
            timer = ioTimeout(timeoutMs, () => reject(new Error(`metrics flush timed out after ${timeoutMs} ms`)));
          }),
        ]);
        if (options.onLiveSlot && results[results.length - 1] === "OK") await options.onLiveSlot(minute).catch(() => {});
        else if (options.onLiveSlot) retryLiveSlot();
        return true;
      } catch (error) {
        // Sent again, whole, with the next flush; the oldest are dropped past the cap (flat memory).
        let fields = 0;
        unconfirmed = batches.filter((b, i) => (fields += b.fields.size) <= MAX_RETAINED_FIELDS || i === 0);
        signal("redis-unreachable", 1, error instanceof Error ? error.message.slice(0, 200) : "flush failed");
        return false;
      } finally {
        timer?.cancel();
        inFlight = null;
      }
    })();
    return inFlight;
  }

  /**
   * This flush's counts landed after the slot holder read Redis: try for the slot again when it
   * expires, so the live view does not wait for the next request. Best effort (CPU may be throttled
   * by then); the next flush or the minute job refreshes the view anyway.
   */
  function retryLiveSlot(): void {
    if (liveRetry || !redis || !options.onLiveSlot) return;
    const publish = options.onLiveSlot;
    liveRetry = setTimeout(() => {
      liveRetry = undefined;
      const minute = minuteOf(clock.now());
      redis
        .set(LIVE_SLOT_KEY, minute, { nx: true, px: 1000 })
        .then((won) => (won === "OK" ? publish(minute) : undefined))
        .catch(() => {});
    }, 1_000);
    liveRetry.unref?.();
  }

  function due(): boolean {
    return clock.now() - lastFlush >= flushEveryMs || pending.size >= maxPendingFields;
  }

  function armTimer(): void {
    if (timer || !redis) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (pending.size > 0) void flush();
    }, flushEveryMs);
    timer.unref?.();
  }

  const recorder = {
    request(sample: RequestSample): void {
      add(metricField.request(sample.api, sample.code), 1);
      add(metricField.latency(sample.api, latencyBucket(sample.ms)), 1);
      add(metricField.latencySum(sample.api), Math.round(sample.ms));
      if (outcomeClass(sample.code) === "server") burst("server-error-burst", burstThreshold, 1, sample.api);
    },
    count(counter: string, by = 1): void {
      add(metricField.counter(counter), by);
      const critical = options.criticalCounters?.[counter];
      if (critical && by > 0) burst(critical.kind, critical.threshold, by, counter);
    },
    async tail(): Promise<void> {
      if (!due()) {
        armTimer();
        return;
      }
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([flush(), new Promise<void>((resolve) => (wait = setTimeout(resolve, tailWaitMs)))]);
      clearTimeout(wait);
    },
    flush,
    /** Adds counts read (and reset) from elsewhere at each flush. */
    addSource(source: CounterSource): void {
      sources.push(source);
    },
    /** This instance's totals since it started (fields as in Redis). */
    snapshot(): Record<string, number> {
      return Object.fromEntries(totals);
    },
    pendingFields: (): number => pending.size + unconfirmed.reduce((n, b) => n + b.fields.size, 0),
  };
  return recorder satisfies RequestObserver;
}

export type MetricsRecorder = ReturnType<typeof createMetricsRecorder>;

