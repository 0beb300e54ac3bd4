import { defineInt, defineSecret, defineString } from "firebase-functions/params";
import { systemClock } from "../lib/clock";
import { runtimeEnv, secretValue } from "../lib/config";
import {
  createRecaptchaEnterpriseVerifier,
  createTestChallengeVerifier,
  parseRateLimitJson,
  rejectingChallengeVerifier,
  resolveRateLimitConfig,
  type ChallengeVerifier,
} from "../lib/rate-limit";
import { createLocalProvider } from "../providers/local-provider";
import { selectLlmProvider } from "../providers/openai-params";
import type { LlmProvider } from "../providers/provider-types";
import type { EventPublisher } from "../events/outbox-publisher";
import { modelAllowlistParam, parseModelAllowlist } from "../executions/model-allowlist";
import { firebaseApp, firebaseAuth, firestore, firestoreAdmin, pubsub, redis, storage, storageFor, verifyIdToken } from "./clients";
import { getFirestore } from "firebase-admin/firestore";
import { firebaseAuthSubjects } from "../compliance/firebase-auth-subjects";
import { loadConfigAssets } from "../backups/backup-assets";
import { BACKUP_REPLICATION_TOPIC } from "../backups/backup-deps";
import { backupParams, backupSettings } from "../backups/backup-params";
import { createWebhookHttp } from "../webhooks/webhook-http";
import { monitoringSettings } from "../monitoring/monitoring-params";
import { createApp, type App, type AppDeps } from "./root";
import { productionSecretsDeps } from "./secret-deps";

/**
 * Rate-limit params. Configuration without a code change: `RATE_LIMITS_JSON` holds a JSON object
 * merged over the defaults of `lib/rate-limit/policies.ts` (tiers, policies and their fail modes,
 * abuse thresholds, allow/deny lists, static overrides); per-identity overrides set through the
 * operations live in Redis and apply on the next request.
 */
export const rateLimitParams = {
  json: defineString("RATE_LIMITS_JSON", { default: "", description: "JSON merged over the default rate-limit config (see docs/rate-limiting.md)." }),
  trustedProxyHops: defineInt("TRUSTED_PROXY_HOPS", {
    default: 1,
    description: "Proxies of Google's own appending to X-Forwarded-For (1 = Cloud Functions/Cloud Run, 2 = behind an external Application LB).",
  }),
  recaptchaSiteKey: defineString("RECAPTCHA_SITE_KEY", { default: "", description: "reCAPTCHA Enterprise site key for rate-limit challenges; empty disables challenges in production." }),
  recaptchaApiKey: defineSecret("RECAPTCHA_API_KEY"),
};

/** Webhooks: a graph without runtime secrets seals endpoint secrets with this param; deployed graphs read `WEBHOOK_SECRET_KEY` by version at run time (docs/secrets.md) and bind it nowhere. */
export const webhookParams = {
  secretKey: defineSecret("WEBHOOK_SECRET_KEY"),
};

function challengeVerifier(): ChallengeVerifier {
  if (runtimeEnv().FUNCTIONS_EMULATOR === "true") return createTestChallengeVerifier(process.env.RATE_LIMIT_TEST_CHALLENGE_TOKEN || undefined);
  const siteKey = rateLimitParams.recaptchaSiteKey.value();
  const apiKey = secretValue(rateLimitParams.recaptchaApiKey);
  const projectId = runtimeEnv().GCLOUD_PROJECT;
  if (!siteKey || !apiKey || !projectId) return rejectingChallengeVerifier;
  return createRecaptchaEnterpriseVerifier({ fetch, projectId, siteKey, apiKey });
}

/**
 * Publishes with the real client. Ordered publishing pauses a key after a failed publish; it is
 * resumed so the retry (the outbox's trigger redelivery) can publish again.
 */
const pubsubPublisher: EventPublisher = {
  async publish(topicName, message) {
    const topic = pubsub().topic(topicName, { messageOrdering: true });
    try {
      return await topic.publishMessage(message);
    } catch (error) {
      topic.resumePublishing(message.orderingKey);
      throw error;
    }
  },
};

/** The deps of a deployed instance: real clients and the deploy params, read at first use. */
export function productionAppDeps(): AppDeps {
  const env = runtimeEnv();
  const config = resolveRateLimitConfig(parseRateLimitJson(rateLimitParams.json.value()), undefined);
  let provider: LlmProvider | undefined;
  return {
    db: firestore(),
    secrets: productionSecretsDeps({ db: firestore(), clock: systemClock }),
    redis: redis(),
    bucket: storage,
    // `local` (deterministic, no network) is the default and what the emulator runs.
    provider: () => (provider ??= selectLlmProvider(createLocalProvider)),
    clock: systemClock,
    redisTimeoutMs: env.REDIS_TIMEOUT_MS,
    signUploads: env.FUNCTIONS_EMULATOR !== "true" || Boolean(env.LOCAL_SIGNING_KEY_FILE),
    publisher: pubsubPublisher,
    backups: () => ({
      admin: firestoreAdmin(),
      bucket: storageFor,
      settings: backupSettings(firebaseApp().options.projectId ?? env.GCLOUD_PROJECT ?? ""),
      publisher: { publish: async (message) => void (await pubsub().topic(BACKUP_REPLICATION_TOPIC).publishMessage({ json: message })) },
      assets: () => loadConfigAssets(),
      target: (databaseId) => getFirestore(firebaseApp(), databaseId),
      drillDatabaseId: backupParams.drillDatabase.value(),
    }),
    verifyIdToken,
    auth: () => firebaseAuthSubjects(firebaseAuth()),
    webhooks: {
      secretKey: () => secretValue(webhookParams.secretKey),
      // The emulator delivers to local receivers (http, loopback) so tests run; production only to public https hosts.
      http: createWebhookHttp({ allowLoopback: env.FUNCTIONS_EMULATOR === "true", allowHttp: env.FUNCTIONS_EMULATOR === "true" }),
      allowLocalUrls: env.FUNCTIONS_EMULATOR === "true",
    },
    models: parseModelAllowlist(modelAllowlistParam.value()),
    monitoring: monitoringSettings(),
    rateLimit: {
      config: { ...config, redis: { ...config.redis, timeoutMs: Math.min(config.redis.timeoutMs, env.REDIS_TIMEOUT_MS) } },
      verifier: challengeVerifier(),
      trustedProxyHops: rateLimitParams.trustedProxyHops.value(),
    },
  };
}

let instance: App | undefined;

/** This instance's graph, built on first use (params can only be read at run time, never at load). */
export function app(): App {
  return (instance ??= createApp(productionAppDeps()));
}

