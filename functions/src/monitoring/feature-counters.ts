import type { CacheMetricsSnapshot } from "../lib/cache/cache-metrics";
import type { Logger } from "../lib/logging";
import type { RequestObserver } from "../lib/metrics";
import type { RateLimitMetricsSnapshot } from "../lib/rate-limit/metrics";
import type { WebhookHttp } from "../webhooks/webhook-http";

/**
 * The other features' counters, folded into the recorder without touching their code: the
 * limiter's and the cache's per-instance counters are read and reset at each flush; webhook
 * attempts, executions and backup telemetry are counted by wrapping what the root hands them.
 */

/** `rate_limit.<outcome>` (all policies) and `rate_limit.<policy>.<outcome>`; `fallback` is the in-memory limiter deciding. */
export function rateLimitSource(metrics: { snapshot(): RateLimitMetricsSnapshot; reset(): void }) {
  return (): Record<string, number> => {
    const snapshot = metrics.snapshot();
    metrics.reset();
    const out: Record<string, number> = {};
    for (const [policy, outcomes] of Object.entries(snapshot)) {
      for (const [outcome, n] of Object.entries(outcomes)) {
        out[`rate_limit.${outcome}`] = (out[`rate_limit.${outcome}`] ?? 0) + n;
        out[`rate_limit.${policy}.${outcome}`] = n;
      }
    }
    return out;
  };
}

const CACHE_COUNTERS = ["l1Hits", "l1Misses", "l2Hits", "l2StaleHits", "l2Misses", "loads", "loadErrors"] as const;

/** `cache.<counter>` summed over namespaces, and the global Redis failure counters. */
export function cacheSource(cache: { metrics(): CacheMetricsSnapshot; resetMetrics(): void }) {
  return (): Record<string, number> => {
    const snapshot = cache.metrics();
    cache.resetMetrics();
    const out: Record<string, number> = {};
    for (const counters of Object.values(snapshot.namespaces)) for (const name of CACHE_COUNTERS) out[`cache.${name}`] = (out[`cache.${name}`] ?? 0) + counters[name];
    out["cache.redisFailures"] = snapshot.global.redisFailures;
    out["cache.redisSkipped"] = snapshot.global.redisSkipped;
    out["cache.invalidations"] = snapshot.global.invalidations;
    return out;
  };
}

/** Webhook attempts: `webhooks.attempts`, `webhooks.delivered` (2xx), `webhooks.failed`. */
export function countedWebhookHttp(http: WebhookHttp, metrics: Pick<RequestObserver, "count">): WebhookHttp {
  return async (request) => {
    const response = await http(request);
    metrics.count("webhooks.attempts");
    metrics.count(response.kind === "response" && response.status >= 200 && response.status < 300 ? "webhooks.delivered" : "webhooks.failed");
    return response;
  };
}

type ExecutionResult = { status: string; usage: { inputTokens: number; outputTokens: number }; costUsd: number };

/** Executions: `executions.<status>`, `tokens.input`, `tokens.output`, `cost.micro_usd` (integers for Redis counters). */
export function countedExecutions<S extends { run(...args: never[]): Promise<ExecutionResult> }>(service: S, metrics: Pick<RequestObserver, "count">): S {
  const run = (async (...args: Parameters<S["run"]>) => {
    const result = await (service.run as (...a: Parameters<S["run"]>) => Promise<ExecutionResult>)(...args);
    metrics.count(`executions.${result.status}`);
    metrics.count("tokens.input", result.usage.inputTokens);
    metrics.count("tokens.output", result.usage.outputTokens);
    metrics.count("cost.micro_usd", Math.round(result.costUsd * 1_000_000));
    return result;
  }) as S["run"];
  return { ...service, run };
}

/**
 * Backups report through structured log lines (`backup_metric`, `backup_alert`; log-based
 * metrics in production): this logger passes them on and counts them too.
 */
export function countingBackupLogger(log: Logger, metrics: Pick<RequestObserver, "count">): Logger {
  return {
    ...log,
    info(event, fields) {
      if (event === "backup_metric" && fields) {
        const metric = typeof fields.metric === "string" ? fields.metric.replace(/^backup_/, "") : "unknown";
        metrics.count(typeof fields.outcome === "string" ? `backups.${metric}.${fields.outcome}` : `backups.${metric}`);
        if (metric === "purge" && typeof fields.purged === "number") metrics.count("backups.purged", fields.purged);
      }
      log.info(event, fields);
    },
    error(event, fields) {
      if (event === "backup_alert") metrics.count(`backups.alert.${typeof fields?.reason === "string" ? fields.reason : "unknown"}`);
      log.error(event, fields);
    },
  };
}
