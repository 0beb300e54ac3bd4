import type { Redis } from "@upstash/redis";
import type { Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import type { EventPublisher } from "../events/outbox-publisher";
import type { IdTokenVerifier } from "../identity/admin-token";
import type { Clock } from "../lib/clock";
import { createMetricsRecorder, type CounterSource } from "../lib/metrics";
import type { ClientIpOptions, RateLimiter } from "../lib/rate-limit";
import { createWorker } from "../lib/workers";
import { createWebhookHttp, type WebhookHttp } from "../webhooks/webhook-http";
import { evaluate } from "./alert-evaluator";
import { createAlertNotifier } from "./alert-notifier";
import { BURN_RATE_RULES, THRESHOLD_RULES } from "./alert-rules";
import { createAlertState } from "./alert-state";
import { criticalSignalPublisher, criticalSignalWorker } from "./critical-signals";
import { createMetricsEndpoint } from "./metrics-endpoint";
import { createMetricsRollup } from "./metrics-rollup";
import { readWindows } from "./metric-windows";
import { createGaugeReader } from "./monitoring-gauges";
import { ROLLUP_STATE, periodPath, decodeCounts } from "./monitoring-records";
import { toPrometheusText } from "./prometheus";

/** Where notifications go (params in production: monitoring-params.ts). */
export type MonitoringSettings = {
  slackUrl: () => string;
  emailUrl: () => string;
  runbookBase?: () => string;
  /** The notification transport. @default the production webhook transport (public https only) */
  http?: WebhookHttp;
  /** Recorder tuning (tests and benches). */
  flushEveryMs?: number;
  burstThreshold?: number;
};

export type MonitoringDeps = {
  db: Firestore;
  redis: Redis | null;
  clock: Clock;
  publisher: EventPublisher;
  settings?: MonitoringSettings;
  /** Per-instance counters of other features, read and reset at each flush. */
  sources?: CounterSource[];
  verifyIdToken?: IdTokenVerifier;
};

const scheduledRun = z.looseObject({ scheduleTime: z.string() });

/**
 * Monitoring, built once by the composition root: the recorder every request path counts into,
 * the minute job (rollup, live view, alert evaluation), the critical-signal consumer, and the
 * `/metrics` exposition. See docs/monitoring.md.
 */
export function createMonitoring(deps: MonitoringDeps) {
  const { db, clock } = deps;
  const settings = deps.settings ?? { slackUrl: () => "", emailUrl: () => "" };
  const rollup = createMetricsRollup({ db, redis: deps.redis, clock });
  const recorder = createMetricsRecorder({
    redis: deps.redis,
    clock,
    ...(settings.flushEveryMs !== undefined ? { flushEveryMs: settings.flushEveryMs } : {}),
    ...(settings.burstThreshold !== undefined ? { burstThreshold: settings.burstThreshold } : {}),
    onLiveSlot: (minute) => rollup.publishLive(minute),
    onCritical: criticalSignalPublisher(deps.publisher),
    criticalCounters: { "worker.dead_lettered": { threshold: 3, kind: "dead-letter-growth" } },
  });
  for (const source of deps.sources ?? []) recorder.addSource(source);
  const notify = createAlertNotifier({
    http: settings.http ?? createWebhookHttp({ allowLoopback: false, allowHttp: false }),
    slackUrl: settings.slackUrl,
    emailUrl: settings.emailUrl,
    ...(settings.runbookBase?.() ? { runbookBase: settings.runbookBase() } : {}),
  });
  const alerts = createAlertState({ db, clock, notify });
  const readGauges = createGaugeReader({ db, clock });
  const rules = [...THRESHOLD_RULES, ...BURN_RATE_RULES];

  /** One evaluation of every threshold and burn-rate rule, applied to the alert states. */
  async function evaluateNow() {
    const [windows, gauges] = await Promise.all([readWindows(db, clock), readGauges()]);
    const evaluations = evaluate(rules, { windows, gauges });
    const transitions = await alerts.applyEvaluations(evaluations);
    await alerts.retryNotifications();
    return { evaluations, transitions };
  }

  async function exposition(): Promise<string> {
    const [windows, today, state, current] = await Promise.all([
      readWindows(db, clock, ["5m", "1h", "6h", "30d"]),
      db.doc(periodPath("day", clock.now())).get(),
      db.doc(ROLLUP_STATE).get(),
      alerts.current(),
    ]);
    const lastMinute: unknown = state.get("lastMinute");
    return toPrometheusText({ today: decodeCounts(today.data()), windows, alerts: current, rolledUpAt: typeof lastMinute === "number" ? lastMinute + 60_000 : null });
  }

  const workerDeps = { db, clock, metrics: recorder };
  const workers = {
    /** Every minute: roll the Redis minutes into Firestore, refresh the live view, evaluate the alerts. */
    minute: createWorker(
      {
        name: "monitoring.minute",
        payload: scheduledRun,
        idempotency: "none" as const,
        handle: async () => {
          await rollup.rollup();
          await rollup.publishLive().catch(() => {});
          await evaluateNow();
        },
      },
      workerDeps,
    ),
    criticalSignal: createWorker(criticalSignalWorker({ alerts }), workerDeps),
  };

  return {
    recorder,
    rollup,
    alerts,
    evaluateNow,
    exposition,
    workers,
    /** The `/metrics` handler; needs the limiter the root builds after the recorder. */
    endpoint: (limiter: Pick<RateLimiter, "limit" | "recordFailure">, ip?: ClientIpOptions) =>
      createMetricsEndpoint({ exposition, limiter, ...(ip ? { ip } : {}), ...(deps.verifyIdToken ? { verifyIdToken: deps.verifyIdToken } : {}) }),
  };
}

export type Monitoring = ReturnType<typeof createMonitoring>;
