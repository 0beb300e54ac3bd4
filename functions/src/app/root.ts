import type { Bucket } from "@google-cloud/storage";
import type { Firestore } from "firebase-admin/firestore";
import type { Redis } from "@upstash/redis";
import type { Operation } from "../api/operation";
import { operationCallable } from "../api/operation-callable";
import { createRouter } from "../api/router";
import { createApiKeyService, type ApiKeyService } from "../api-keys/api-key-service";
import { createExecutionService, type ExecutionService } from "../executions/execution-service";
import { createHealthCheck, type HealthCheck } from "../health/health-check";
import { createHealthEndpoint } from "../health/health-endpoint";
import type { IdTokenVerifier } from "../identity/admin-token";
import { createHealthReporter } from "../health/health-report";
import { createAccessControl, type AccessControl } from "../identity/access-control";
import { createPayerResolver } from "../identity/payer";
import { createPlanResolver } from "../identity/plan";
import type { ModelAllowlist } from "../executions/model-allowlist";
import { createKnowledgeService, type KnowledgeService } from "../knowledge/knowledge-service";
import { pdfText } from "../knowledge/pdf-text";
import { createTwoLevelCache, type TwoLevelCache } from "../lib/cache";
import type { Clock } from "../lib/clock";
import { createLoadMonitor } from "../lib/load-monitor";
import { createRateLimiter, createRateLimitOperations, createRedisStore, type ChallengeVerifier, type RateLimitConfig } from "../lib/rate-limit";
import { createPromptService, type PromptService } from "../prompts/prompt-service";
import { renderTemplate } from "../prompts/render";
import type { LlmProvider } from "../providers/provider-types";
import { createWorkspaceService, type WorkspaceService } from "../workspaces/workspace-service";
import { eventWorkers } from "../events/event-workers";
import { createOutboxPublisher, type EventPublisher } from "../events/outbox-publisher";
import { stalledIngestWorker, uploadWorker } from "../knowledge/storage-trigger";
import { createWorker } from "../lib/workers";
import { createMemoryGate, createRedisGate } from "../webhooks/endpoint-gate";
import { createWebhookDispatcher, type DispatcherSettings } from "../webhooks/webhook-dispatcher";
import { createWebhookHttp, type WebhookHttp } from "../webhooks/webhook-http";
import { createWebhookService, type WebhookService } from "../webhooks/webhook-service";
import { createSecrets, secretHandlers, type SecretsDeps } from "../secrets/secrets-module";
import { createWebhookSweeper } from "../webhooks/webhook-sweeper";
import { webhookWorkers } from "../webhooks/webhook-workers";
import { cacheInvalidationWorker, type InvalidationRule } from "./cache-invalidation";
import { restRoutes } from "./operations";
import type { BackupDeps } from "../backups/backup-deps";
import { createBackupHandlers, type BackupHandlers } from "../backups/backup-workers";
import { createRateLimiting } from "./rate-limiting";
import { complianceWorkers, createCompliance, type ComplianceService } from "../compliance/compliance-service";
import type { SubjectAuth } from "../compliance/subject-data";
import { createSpend } from "./spend";
import { logger } from "../lib/logging";
import { createMonitoring } from "../monitoring/monitoring";
import type { MonitoringSettings } from "../monitoring/monitoring";
import { cacheSource, countedExecutions, countedWebhookHttp, countingBackupLogger, rateLimitSource } from "../monitoring/feature-counters";

/**
 * What the graph is built from: clients and settings. `productionAppDeps()` (app/production.ts)
 * builds them from the real clients and the deploy params; tests hand in their own.
 */
export type AppDeps = {
  db: Firestore;
  /** Null runs limits and cache in memory, per instance. */
  redis: Redis | null;
  /** Resolved on first use, so text-only work never builds a Storage client. */
  bucket: () => Bucket;
  /** Resolved per use, so a provider is only built when something calls it. */
  provider: () => LlmProvider;
  clock: Clock;
  redisTimeoutMs: number;
  /** Sign upload URLs (real Storage only; the emulator has no credentials to sign with). */
  signUploads: boolean;
  rateLimit: { config: RateLimitConfig; verifier: ChallengeVerifier; trustedProxyHops: number };
  /** Publishes to Pub/Sub (the real client, or the local server through PUBSUB_EMULATOR_HOST). */
  publisher: EventPublisher;
  /** Models each plan may run (param `MODEL_ALLOWLIST_JSON`). @default DEFAULT_MODEL_ALLOWLIST */
  models?: ModelAllowlist;
  /** A cache of the caller's (tests that share one between graphs); built from `redis` otherwise. */
  cache?: TwoLevelCache;
  /** Backup clients and settings, resolved when a backup function first runs. */
  backups?: () => Omit<BackupDeps, "db" | "clock"> & { target: (databaseId: string, projectId: string) => Firestore; drillDatabaseId: string };
  /** Verifies the admin ID token `/health` shows details to; absent, details are never shown. */
  verifyIdToken?: IdTokenVerifier;
  /** Webhook delivery; absent: https to public addresses only, and no key (secrets cannot be used: fail closed). */
  webhooks?: WebhookDeps;
  /** Runtime secrets (Secret Manager behind a cached reader); absent: random keys per graph (tests), never plaintext. */
  secrets?: SecretsDeps;
  /** Where alerts are sent (monitoring/monitoring-params.ts); absent: nowhere. */
  monitoring?: MonitoringSettings;
  /** Firebase Auth for data subject requests; absent: accounts are neither exported nor deleted. */
  auth?: () => SubjectAuth;
};

export type WebhookDeps = {
  /** A fixed key endpoint secrets are sealed with when the graph has no runtime `secrets` (tests); otherwise the rotating `WEBHOOK_SECRET_KEY`. */
  secretKey: () => string;
  /** The transport of attempts (SSRF-checked in production). */
  http: WebhookHttp;
  /** Plain http and loopback receivers (the emulator only). */
  allowLocalUrls: boolean;
  settings?: Partial<DispatcherSettings>;
};

/** The domain services of the graph: what operations and triggers run against. */
export type Services = {
  access: AccessControl;
  workspaces: WorkspaceService;
  apiKeys: ApiKeyService;
  prompts: PromptService;
  knowledge: KnowledgeService;
  executions: ExecutionService;
  health: HealthCheck;
  webhooks: WebhookService;
  compliance: ComplianceService;
};

/**
 * The composition root: every client, service and guard of one instance, built once, in one
 * place. Handlers receive what they use from here; nothing else builds a service.
 */
export function createApp(deps: AppDeps) {
  const { db, clock } = deps;
  const cache = deps.cache ?? createTwoLevelCache({ redis: deps.redis, clock, redisTimeoutMs: deps.redisTimeoutMs });
  // Every request path counts into this recorder (lib/metrics); it never fails a request.
  const monitoring = createMonitoring({ db, clock, redis: deps.redis, publisher: deps.publisher, sources: [cacheSource(cache)], ...(deps.monitoring ? { settings: deps.monitoring } : {}), ...(deps.verifyIdToken ? { verifyIdToken: deps.verifyIdToken } : {}) });
  const metrics = monitoring.recorder;
  const access = createAccessControl({ db, cache });
  const prompts = createPromptService({ db, clock, access, cache });
  const store = deps.redis ? createRedisStore(deps.redis) : null;
  const { config, verifier, trustedProxyHops } = deps.rateLimit;
  // Sheds requests (503 overloaded) when Redis gives no answer while this instance is saturated.
  const limiter = createRateLimiter({ config, store, clock, resolveTier: createPlanResolver({ db, cache }), verifier, load: createLoadMonitor({ clock }) });
  metrics.addSource(rateLimitSource(limiter.metrics));
  const secrets = createSecrets({ db, clock, ...(deps.secrets ? { runtime: deps.secrets } : {}), ...(deps.webhooks ? { webhookKey: deps.webhooks.secretKey } : {}) });
  const knowledge = createKnowledgeService({ db, clock, access, provider: deps.provider(), bucket: deps.bucket, signUploads: deps.signUploads, pdf: pdfText, fields: secrets.fields });
  const webhookDeps: WebhookDeps = deps.webhooks ?? { secretKey: () => "", http: createWebhookHttp({ allowLoopback: false, allowHttp: false }), allowLocalUrls: false };
  const webhookSecrets = secrets.webhookSecrets;
  const dispatcher = createWebhookDispatcher({
    db,
    clock,
    publisher: deps.publisher,
    http: countedWebhookHttp(webhookDeps.http, metrics),
    secrets: webhookSecrets,
    gate: deps.redis ? createRedisGate(deps.redis) : createMemoryGate(),
    limiter,
    settings: webhookDeps.settings,
  });
  const sweeper = createWebhookSweeper({ db, clock, dispatcher });
  const services: Services = {
    access,
    workspaces: createWorkspaceService({ db, clock, access, cache }),
    apiKeys: createApiKeyService({ db, clock, access, cache }),
    prompts,
    knowledge,
    executions: countedExecutions(
      createExecutionService({
      db,
      clock,
      access,
      provider: deps.provider,
      prompts: { resolveVersion: prompts.resolveVersion, render: renderTemplate },
      retriever: knowledge,
      spend: createSpend({ limiter, payerOf: createPayerResolver({ db, cache }) }),
      ...(deps.models ? { models: deps.models } : {}),
      fields: secrets.fields,
      }),
      metrics,
    ),
    health: createHealthCheck({ db, redis: deps.redis, clock }),
    webhooks: createWebhookService({ db, clock, access, secrets: webhookSecrets, dispatcher, sweeper, allowLocalUrls: webhookDeps.allowLocalUrls }),
    compliance: createCompliance({ db, clock, access, bucket: deps.bucket, redis: deps.redis, cache, publisher: deps.publisher, signUrls: deps.signUploads, ...(deps.auth ? { auth: deps.auth } : {}), fields: secrets.fields, secretRotations: secrets.rotationsBetween }),
  };

  const rateLimiting = createRateLimiting({ limiter, trustedProxyHops, clock });
  const healthReporter = createHealthReporter({ check: services.health, clock });
  /** The plain handler of `/health`: limited per IP, one cached probe per instance, details for admins. */
  const health = createHealthEndpoint({
    health: healthReporter,
    limiter,
    ip: { trustedProxyHops },
    ...(deps.verifyIdToken ? { verifyIdToken: deps.verifyIdToken } : {}),
    metrics,
  });
  /** Admin operations on limits; null when no Redis is configured (state then lives in memory only). */
  const rateLimitOperations = store ? createRateLimitOperations({ store, limiter, config, clock }) : null;

  const outbox = createOutboxPublisher({ db, clock, publisher: deps.publisher });
  const workerDeps = { db, clock, metrics };
  const events = eventWorkers({ outbox, db });
  const webhooks = webhookWorkers({ dispatcher, sweeper });
  const compliance = complianceWorkers(services.compliance, clock, metrics);
  /** The plain handlers of the event-driven functions, each built with the one worker pattern. */
  const workers = {
    publishOutbox: createWorker(events.publishOutbox, workerDeps),
    sweepOutbox: createWorker(events.sweepOutbox, workerDeps),
    countDomainEvents: createWorker(events.countDomainEvents, workerDeps),
    ingestUpload: createWorker(uploadWorker({ knowledge }), workerDeps),
    sweepStalledIngests: createWorker(stalledIngestWorker({ knowledge }), workerDeps),
    webhookFanOut: createWorker(webhooks.fanOut, workerDeps),
    deliverWebhook: createWorker(webhooks.deliver, workerDeps),
    sweepWebhooks: createWorker(webhooks.sweep, workerDeps),
    schedulePurges: createWorker(compliance.schedulePurges, workerDeps),
    runPurgeStep: createWorker(compliance.runPurgeStep, workerDeps),
    processDataRequest: createWorker(compliance.processDataRequest, workerDeps),
    sweepDataRequests: createWorker(compliance.sweepDataRequests, workerDeps),
    monthlyComplianceReport: createWorker(compliance.monthlyReport, workerDeps),
    authUserDeleted: createWorker(compliance.authUserDeleted, workerDeps),
  };
  let backupHandlers: BackupHandlers | undefined;
  const invalidationWorkers = new Map<InvalidationRule, ReturnType<typeof cacheInvalidationWorker>>();

  const callableHandlers = new Map<Operation<Services>, ReturnType<typeof operationCallable<Services>>>();
  let router: ReturnType<typeof createRouter<Services>> | undefined;

  return {
    clock,
    cache,
    services,
    rateLimiting,
    rateLimitOperations,
    health,
    /** Metrics, the live view, alerts and SLOs (docs/monitoring.md). */
    monitoring,
    /** The plain handler of `/metrics` (Prometheus text), admins only. */
    metricsEndpoint: monitoring.endpoint(limiter, { trustedProxyHops }),
    outbox,
    workers,
    /** Field encryption, internal signatures and the handlers of the secret functions (docs/secrets.md). */
    secrets: { ...secrets, handlers: secretHandlers(secrets, workerDeps) },
    /** The backup domain's handlers, built on first use (only backup functions need its clients). */
    backups(): BackupHandlers {
      if (!deps.backups) throw new Error("Backups are not configured in this graph");
      return (backupHandlers ??= createBackupHandlers({ logger: countingBackupLogger(logger, metrics), ...deps.backups(), db, clock }, workerDeps));
    },
    /** The worker behind a cache-invalidation trigger, built once per rule. */
    invalidationWorker(rule: InvalidationRule) {
      let worker = invalidationWorkers.get(rule);
      if (!worker) {
        worker = cacheInvalidationWorker(rule, { cache, clock, db });
        invalidationWorkers.set(rule, worker);
      }
      return worker;
    },
    /** The plain handler of an operation served as a callable, built once per operation. */
    callable(op: Operation<Services>) {
      let handler = callableHandlers.get(op);
      if (!handler) {
        handler = operationCallable(op, { guard: rateLimiting.callableGuard, services, metrics });
        callableHandlers.set(op, handler);
      }
      return handler;
    },
    /** The REST API's router over every operation with a REST binding. */
    restApi() {
      router ??= createRouter({
        routes: restRoutes(),
        services,
        authenticate: (key) => services.apiKeys.authenticate(key),
        guard: rateLimiting.restGuard,
        screen: rateLimiting.restScreen,
        reportFailure: rateLimiting.reportRestFailure,
        metrics,
      });
      return router;
    },
  };
}

export type App = ReturnType<typeof createApp>;
