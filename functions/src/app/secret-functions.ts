import { onMessagePublished } from "firebase-functions/v2/pubsub";
import { onSchedule } from "firebase-functions/v2/scheduler";
import { pubsubWorkerOptions, scheduledEvent, scheduleOptions } from "../lib/workers";
import { SECRET_ROTATION_TOPIC } from "../secrets/secret-catalog";
import { rotationEvent } from "../secrets/secret-rotation";
import { app } from "./production";

/**
 * The deployed functions of runtime secrets (docs/secrets.md): options only. Rotation is
 * Pub/Sub (Secret Manager publishes SECRET_ROTATE to the secrets' topic at `nextRotationTime`);
 * re-encryption, retirement and the access check are cron (Cloud Scheduler): bounded work that
 * resumes from saved state, with nothing to fan out.
 */

/** SECRET_ROTATE (and the secrets' other notifications, ignored): a new version, aliases moved. */
export const rotateSecrets = onMessagePublished(pubsubWorkerOptions(SECRET_ROTATION_TOPIC), async (event) => {
  await app().secrets.handlers.rotateSecrets(rotationEvent(event));
});

/** Re-wraps stored data keys under the current versions, a saved cursor at a time, up to 5 minutes a run. */
export const reencryptSecretData = onSchedule(scheduleOptions("every 10 minutes", { timeoutSeconds: 540, memory: "512MiB" }), async (event) => {
  await app().secrets.handlers.reencryptSecretData(scheduledEvent("reencryptSecretData", event));
});

/** Disables versions past their grace period (after re-encryption) and destroys long-disabled ones. */
export const retireSecretVersions = onSchedule(scheduleOptions("every 60 minutes"), async (event) => {
  await app().secrets.handlers.retireSecretVersions(scheduledEvent("retireSecretVersions", event));
});

/** Flags unusual access in the audit trail: a new reader of a secret, a spike, failed reads. */
export const checkSecretAccess = onSchedule(scheduleOptions("every 60 minutes"), async (event) => {
  await app().secrets.handlers.checkSecretAccess(scheduledEvent("checkSecretAccess", event));
});
