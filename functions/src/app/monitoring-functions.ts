import { onRequest } from "firebase-functions/v2/https";
import { onMessagePublished } from "firebase-functions/v2/pubsub";
import { onSchedule } from "firebase-functions/v2/scheduler";
import { pubsubEvent, pubsubWorkerOptions, scheduledEvent, scheduleOptions } from "../lib/workers";
import { CRITICAL_SIGNALS_TOPIC } from "../monitoring/critical-signals";
import { monitoringParams } from "../monitoring/monitoring-params";
import { httpsOptions } from "./function-options";
import { app } from "./production";

/** Monitoring's deployed functions (docs/monitoring.md): options only. */

const NOTIFY = { secrets: [monitoringParams.slackWebhookUrl] };

/** Cron (Cloud Scheduler, every minute): Redis minutes into Firestore, the live view, alert evaluation. */
export const monitorMinute = onSchedule(scheduleOptions("every 1 minutes", { ...NOTIFY, timeoutSeconds: 55, retryCount: 0 }), async (event) => {
  await app().monitoring.workers.minute(scheduledEvent("monitorMinute", event));
});

/** The critical event path: a burst of 5xx, Redis unreachable or dead letters growing open their alert at once. */
export const onCriticalSignal = onMessagePublished(pubsubWorkerOptions(CRITICAL_SIGNALS_TOPIC, NOTIFY), async (event) => {
  await app().monitoring.workers.criticalSignal(pubsubEvent(event));
});

/** `GET /metrics` in the Prometheus text format, for admins (an ID token with the `admin` claim). */
export const metrics = onRequest(httpsOptions, (req, res) => app().metricsEndpoint(req, res));
