import { onDocumentCreated, onDocumentWritten } from "firebase-functions/v2/firestore";
import { onCall, onRequest } from "firebase-functions/v2/https";
import { onMessagePublished } from "firebase-functions/v2/pubsub";
import { onSchedule } from "firebase-functions/v2/scheduler";
import { onObjectFinalized } from "firebase-functions/v2/storage";
import type { Operation } from "../api/operation";
import { DOMAIN_EVENTS_TOPIC } from "../events/outbox-publisher";
import { BACKUP_REPLICATION_TOPIC } from "../backups/backup-deps";
import { BACKUP_SCHEDULE } from "../backups/backup-params";
import { params, runtimeEnv } from "../lib/config";
import { firestoreCreatedEvent, firestoreEvent, pubsubEvent, pubsubWorkerOptions, scheduledEvent, scheduleOptions, storageEvent } from "../lib/workers";
import { llmSecrets } from "../providers/openai-params";
import { verifyChallengeHandler } from "../security/challenge-callable";
import type { InvalidationRule } from "./cache-invalidation";
import { callableOptions, httpsOptions } from "./function-options";
import { WEBHOOK_DELIVERIES_TOPIC } from "../webhooks/webhook-dispatcher";
import { app } from "./production";
import type { Services } from "./root";

/**
 * The deployed functions' declarations: options only. Each handler asks the composition root
 * (`app()`, built once per instance at first use) for what it uses; event-driven functions run
 * a worker (`lib/workers`) over the platform event turned into a `WorkerEvent` by its adapter.
 */

// Functions that call the LLM provider hold its key and may wait on provider retries.
// Memory from measurements (docs/performance.md): at 80 concurrent requests the REST API and the
// execution path reached 190-209 MiB RSS of the 256 MiB default, read callables stayed under 190.
const LLM_OPTIONS = { secrets: [...(callableOptions.secrets ?? []), ...llmSecrets], timeoutSeconds: 180, memory: "512MiB" as const };
const EVENT_OPTIONS = { region: params.region, secrets: [params.upstashRedisRestToken], retry: true };

/** An operation served as an HTTPS callable for signed-in users. */
export function callableFunction(op: Operation<Services>) {
  return onCall({ ...callableOptions, ...(op.usesLlm ? LLM_OPTIONS : {}) }, (request, response) => app().callable(op)(request, response));
}

/** A webhook operation: it may seal, or sign with, endpoint secrets, so it holds their key. */
export function webhookCallableFunction(op: Operation<Services>) {
  // The sealing key is a runtime secret (docs/secrets.md), read by version: not bound, so a rotation never pins a disabled version.
  return onCall(callableOptions, (request, response) => app().callable(op)(request, response));
}

/**
 * The versioned REST API (`/v1/...`) for API-key clients: one HTTPS function, one router. In
 * production its ingress admits only the load balancer that enforces body size and rate rules.
 */
export const api = onRequest({ ...httpsOptions, ...LLM_OPTIONS, secrets: LLM_OPTIONS.secrets, ingressSettings: runtimeEnv().API_INGRESS }, (req, res) => app().restApi()(req, res));

export const health = onRequest(httpsOptions, (req, res) => app().health(req, res));

export const verifyChallenge = onCall(callableOptions, (request) => verifyChallengeHandler(app().rateLimiting.verifyCallerChallenge, request));

/** Uploaded files are ingested (chunked, embedded): the provider key, memory and time for a large PDF. */
export const onDocumentUploaded = onObjectFinalized({ ...EVENT_OPTIONS, secrets: [...EVENT_OPTIONS.secrets, ...llmSecrets], memory: "512MiB", timeoutSeconds: 300 }, async (event) => {
  await app().workers.ingestUpload(storageEvent(event));
});

/** Cron: closes ingests that will never finish (a document left `processing` or `pending`). */
export const sweepStalledIngests = onSchedule(scheduleOptions("every 15 minutes"), async (event) => {
  await app().workers.sweepStalledIngests(scheduledEvent("sweepStalledIngests", event));
});

/** A Firestore trigger that invalidates what a write to `rule.document` makes stale, from any writer. */
export function invalidationTrigger(rule: InvalidationRule) {
  return onDocumentWritten({ ...EVENT_OPTIONS, document: rule.document }, async (event) => {
    await app().invalidationWorker(rule)(firestoreEvent(event));
  });
}

/**
 * The outbox made live: each event written with its change is published to `domain-events` in
 * order per workspace. Firestore (not Pub/Sub) triggers it: the event and its change commit together.
 */
export const publishDomainEvents = onDocumentCreated({ ...EVENT_OPTIONS, document: "events/{eventId}" }, async (event) => {
  await app().workers.publishOutbox(firestoreCreatedEvent(event));
});

/** Cron (Cloud Scheduler): publishes events whose trigger was lost or gave up. */
export const sweepDomainEventOutbox = onSchedule(scheduleOptions("every 5 minutes"), async (event) => {
  await app().workers.sweepOutbox(scheduledEvent("sweepDomainEventOutbox", event));
});

/** Fan-out consumer (Pub/Sub): per-workspace daily event counts. */
export const countDomainEvents = onMessagePublished(pubsubWorkerOptions(DOMAIN_EVENTS_TOPIC), async (event) => {
  await app().workers.countDomainEvents(pubsubEvent(event));
});

/** Webhook fan-out (Pub/Sub): one delivery record per subscribed endpoint, once per domain event. */
export const fanOutWebhooks = onMessagePublished(pubsubWorkerOptions(DOMAIN_EVENTS_TOPIC), async (event) => {
  await app().workers.webhookFanOut(pubsubEvent(event));
});

/** One signed HTTP attempt per message (up to 30 s); retries are scheduled by `sweepWebhooks`, not by Pub/Sub's backoff. */
export const deliverWebhooks = onMessagePublished(pubsubWorkerOptions(WEBHOOK_DELIVERIES_TOPIC, { timeoutSeconds: 120 }), async (event) => {
  await app().workers.deliverWebhook(pubsubEvent(event));
});

/** Cron (Cloud Scheduler, every minute): due retries, attempts of dead workers, recovery jobs. */
export const sweepWebhooks = onSchedule(scheduleOptions("every 1 minutes", { timeoutSeconds: 120 }), async (event) => {
  await app().workers.sweepWebhooks(scheduledEvent("sweepWebhooks", event));
});

/** Backups (docs/backups.md): the daily export starts on a schedule; a 5-minute cron finishes it. */
export const startDailyBackup = onSchedule(scheduleOptions(BACKUP_SCHEDULE), async (event) => {
  await app().backups().startDaily(scheduledEvent("startDailyBackup", event));
});

export const pollBackups = onSchedule(scheduleOptions("every 5 minutes", { timeoutSeconds: 300 }), async (event) => {
  await app().backups().poll(scheduledEvent("pollBackups", event));
});

/** The 1-hour RPO: changes since the last run, as one file copied to every region. */
export const hourlyBackup = onSchedule(scheduleOptions("every 60 minutes", { timeoutSeconds: 540, memory: "1GiB" }), async (event) => {
  await app().backups().hourly(scheduledEvent("hourlyBackup", event));
});

export const purgeBackups = onSchedule(scheduleOptions("0 3 * * *", { timeoutSeconds: 540 }), async (event) => {
  await app().backups().purge(scheduledEvent("purgeBackups", event));
});

/** Weekly restore drill into a scratch database. */
export const backupRestoreDrill = onSchedule(scheduleOptions("0 5 * * 1", { timeoutSeconds: 540, memory: "1GiB" }), async (event) => {
  await app().backups().drill(scheduledEvent("backupRestoreDrill", event));
});

/** Pub/Sub fan-out: one bounded replication step per message, per region. */
export const replicateBackup = onMessagePublished(pubsubWorkerOptions(BACKUP_REPLICATION_TOPIC, { timeoutSeconds: 540 }), async (event) => {
  await app().backups().replicate(pubsubEvent(event));
});
