import type { PubSubOptions } from "firebase-functions/v2/pubsub";
import type { ScheduleOptions } from "firebase-functions/v2/scheduler";
import type { defineSecret } from "firebase-functions/params";
import { params } from "../config";

/** What an event-driven function may set; everything else is shared. */
export type WorkerFunctionOptions = {
  secrets?: Array<ReturnType<typeof defineSecret>>;
  /** @default 60 */
  timeoutSeconds?: number;
  /** @default "256MiB" */
  memory?: "256MiB" | "512MiB" | "1GiB" | "2GiB";
};

const base = (options: WorkerFunctionOptions) => ({
  region: params.region,
  secrets: [params.upstashRedisRestToken, ...(options.secrets ?? [])],
  timeoutSeconds: options.timeoutSeconds ?? 60,
  memory: options.memory ?? ("256MiB" as const),
});

/**
 * Options of a Pub/Sub worker. `retry: true` always: a thrown (retryable) error is redelivered
 * with backoff; poison messages are acknowledged by the worker itself, so retries never loop.
 */
export function pubsubWorkerOptions(topic: string, options: WorkerFunctionOptions = {}): PubSubOptions {
  return { ...base(options), topic, retry: true };
}

/**
 * Options of a scheduled job (Cloud Scheduler). Times are UTC unless said otherwise; a failed run
 * is retried by Cloud Scheduler up to `retryCount` times, each run being one event id.
 */
export function scheduleOptions(schedule: string, options: WorkerFunctionOptions & { timeZone?: string; retryCount?: number } = {}): ScheduleOptions {
  return { ...base(options), schedule, timeZone: options.timeZone ?? "Etc/UTC", retryCount: options.retryCount ?? 3, minBackoffSeconds: 10, maxBackoffSeconds: 300 };
}
