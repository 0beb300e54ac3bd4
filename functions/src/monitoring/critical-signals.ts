import { z } from "zod";
import type { EventPublisher } from "../events/outbox-publisher";
import type { CriticalSignal } from "../lib/metrics";
import { logger } from "../lib/logging";
import { signalRule } from "./alert-rules";
import type { AlertState } from "./alert-state";

/**
 * The critical event path: when an instance's recorder sees a burst of server errors, a failed
 * Redis flush or dead letters piling up, it publishes here at once, and `onCriticalSignal`
 * (Pub/Sub-triggered) opens the alert without waiting for the minute's evaluation. Pub/Sub, not
 * a direct write: the signal must leave the failing request path cheaply and survive the
 * instance; the subscriber retries, and the state machine makes a second delivery a repeat.
 */
export const CRITICAL_SIGNALS_TOPIC = "critical-signals";

export const criticalSignalMessage = z.strictObject({
  kind: z.string().regex(/^[a-z0-9-]{1,60}$/),
  count: z.number().int().nonnegative().max(1_000_000),
  windowMs: z.number().int().nonnegative().max(86_400_000),
  at: z.number().int().nonnegative(),
  detail: z.string().max(300).optional(),
});

/** The recorder's `onCritical`: publishes without blocking; a failed publish is logged (the minute evaluation still sees it). */
export function criticalSignalPublisher(publisher: EventPublisher) {
  return (signal: CriticalSignal): void => {
    const message = { data: Buffer.from(JSON.stringify(signal)), attributes: { kind: signal.kind }, orderingKey: signal.kind };
    logger.warn("critical_signal", { kind: signal.kind, count: signal.count });
    publisher.publish(CRITICAL_SIGNALS_TOPIC, message).catch((error: unknown) => logger.error("critical_signal_publish_failed", { kind: signal.kind, error: error instanceof Error ? error.message : String(error) }));
  };
}

/** Consumer of `critical-signals`: opens (or repeats) the signal's alert and notifies on open. */
export function criticalSignalWorker({ alerts }: { alerts: Pick<AlertState, "apply"> }) {
  return {
    name: "monitoring.criticalSignal",
    payload: criticalSignalMessage,
    // Opening is idempotent by the alert's own state: a duplicate delivery is a repeat.
    idempotency: "none" as const,
    handle: async (signal: z.output<typeof criticalSignalMessage>) => {
      const rule = signalRule(signal.kind);
      if (!rule) {
        logger.warn("critical_signal_unknown", { kind: signal.kind });
        return;
      }
      const summary = rule.summary.replace("{value}", String(signal.count));
      await alerts.apply(rule.id, true, { value: signal.count, threshold: null, summary: signal.detail ? `${summary} (${signal.detail})` : summary, source: "signal" });
    },
  };
}
