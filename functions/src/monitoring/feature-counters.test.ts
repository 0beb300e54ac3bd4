import { systemClock } from "../lib/clock";
import { createMetricsRecorder } from "../lib/metrics";
import { createRateLimitMetrics } from "../lib/rate-limit/metrics";
import { countedExecutions, countedWebhookHttp, countingBackupLogger, rateLimitSource } from "./feature-counters";

const recorder = () => createMetricsRecorder({ redis: null, clock: systemClock });

describe("other features' counters folded into the recorder", () => {
  it("reads the limiter's counters at each flush, fallbacks included, and resets them", async () => {
    const limits = createRateLimitMetrics();
    limits.increment("read", "allowed", 3);
    limits.increment("read", "fallback", 2);
    limits.increment("write", "fallback");
    const metrics = recorder();
    metrics.addSource(rateLimitSource(limits));
    await metrics.flush();
    expect(metrics.snapshot()).toMatchObject({ "c|rate_limit.fallback": 3, "c|rate_limit.read.fallback": 2, "c|rate_limit.allowed": 3 });
    expect(limits.snapshot()).toEqual({});
  });

  it("counts webhook attempts by outcome, execution usage and cost, and backup telemetry lines", async () => {
    const metrics = recorder();
    const http = countedWebhookHttp(async () => ({ kind: "response", status: 503, retryAfter: null, body: "" }), metrics);
    await http({ url: "https://example.com", headers: {}, body: "{}", timeoutMs: 10 });
    const executions = countedExecutions({ run: async () => ({ status: "completed", usage: { inputTokens: 120, outputTokens: 30 }, costUsd: 0.0015 }) }, metrics);
    await executions.run();
    const lines: string[] = [];
    const log = { debug: () => {}, info: (e: string) => void lines.push(e), warn: () => {}, error: (e: string) => void lines.push(e) };
    const backupLog = countingBackupLogger(log, metrics);
    backupLog.info("backup_metric", { metric: "backup_export", outcome: "failure" });
    backupLog.error("backup_alert", { reason: "stale" });
    expect(lines).toEqual(["backup_metric", "backup_alert"]);
    expect(metrics.snapshot()).toMatchObject({
      "c|webhooks.attempts": 1,
      "c|webhooks.failed": 1,
      "c|executions.completed": 1,
      "c|tokens.input": 120,
      "c|tokens.output": 30,
      "c|cost.micro_usd": 1500,
      "c|backups.export.failure": 1,
      "c|backups.alert.stale": 1,
    });
  });
});
