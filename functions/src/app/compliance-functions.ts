import * as functionsV1 from "firebase-functions/v1";
import { onDocumentCreated } from "firebase-functions/v2/firestore";
import { onMessagePublished } from "firebase-functions/v2/pubsub";
import { onSchedule } from "firebase-functions/v2/scheduler";
import { complianceParams } from "../compliance/compliance-params";
import { DATA_REQUESTS } from "../compliance/compliance-records";
import { PURGE_TOPIC } from "../compliance/purge-jobs";
import { params } from "../lib/config";
import { logger } from "../lib/logging";
import { firestoreCreatedEvent, pubsubEvent, pubsubWorkerOptions, scheduledEvent, scheduleOptions } from "../lib/workers";
import { app } from "./production";

/**
 * The compliance domain's deployed functions (docs/compliance.md): options only; each runs a
 * worker of the composition root.
 */

/** Cron, hourly: today's retention job per class (created once a day) and any stalled job's step re-published. */
export const schedulePurges = onSchedule(scheduleOptions("every 60 minutes", { timeoutSeconds: 120 }), async (event) => {
  if (!complianceParams.purgeEnabled.value()) return logger.info("retention_purge_paused", { param: "RETENTION_PURGE_ENABLED" });
  await app().workers.schedulePurges(scheduledEvent("schedulePurges", event));
});

/** Pub/Sub: one bounded purge step (up to 5,000 documents in batches of 200), then the next step is published. */
export const runPurgeStep = onMessagePublished(pubsubWorkerOptions(PURGE_TOPIC, { timeoutSeconds: 540, memory: "512MiB" }), async (event) => {
  await app().workers.runPurgeStep(pubsubEvent(event));
});

/** A queued data request, processed as soon as it is written (export archives are streamed; erasure is restartable). */
export const processDataRequest = onDocumentCreated(
  { region: params.region, secrets: [params.upstashRedisRestToken], retry: true, document: `${DATA_REQUESTS}/{requestId}`, timeoutSeconds: 540, memory: "1GiB" },
  async (event) => {
    await app().workers.processDataRequest(firestoreCreatedEvent(event));
  },
);

/** Cron: requests a lost trigger, a redeploy or a failed attempt left queued, and those whose worker died. */
export const sweepDataRequests = onSchedule(scheduleOptions("every 10 minutes", { timeoutSeconds: 540, memory: "1GiB" }), async (event) => {
  await app().workers.sweepDataRequests(scheduledEvent("sweepDataRequests", event));
});

/** Cron, the 1st of each month: the previous month's compliance report. */
export const monthlyComplianceReport = onSchedule(scheduleOptions("0 4 1 * *", { timeoutSeconds: 300 }), async (event) => {
  await app().workers.monthlyComplianceReport(scheduledEvent("monthlyComplianceReport", event));
});

/**
 * A deleted Auth account queues its erasure. 2nd-gen functions have no Auth delete trigger
 * (only Identity Platform's blocking functions, which fire before sign-in, not on deletion), so
 * this one is 1st-gen (`firebase-functions/v1`), which the Auth emulator also drives.
 */
export const onAuthUserDeleted = functionsV1
  .region(params.region)
  .runWith({ secrets: [params.upstashRedisRestToken] })
  .auth.user()
  .onDelete(async (user, context) => {
    await app().workers.authUserDeleted({ id: context.eventId || `auth-delete:${user.uid}`, data: { uid: user.uid }, attempt: 1, time: Date.parse(context.timestamp) || Date.now() });
  });
