import { Timestamp, type DocumentReference, type Firestore, type WriteBatch } from "firebase-admin/firestore";
import { deleteWithTombstone } from "../backups/tombstones";
import { expiredEventStats, expiredOutboxEvents } from "../events/event-purge";
import { executionIoRedaction, expiredExecutions } from "../executions/execution-purge";
import { runBoundedPass, type PassCursor, type PassSource } from "../lib/bounded-pass";
import type { Clock } from "../lib/clock";
import { logger as defaultLogger, type Logger } from "../lib/logging";
import { readRecord } from "../lib/firestore-records";
import { EventInProgressError, PoisonEventError } from "../lib/workers";
import { expiredLabelEvents } from "../prompts/prompt-purge";
import { expiredWebhookDeliveries, expiredWebhookStats } from "../webhooks/webhook-purge";
import type { WorkspaceDeletion } from "../workspaces/workspace-deletion";
import { PURGE_JOBS, RETENTION_WATERMARKS, storedPurgeJobSchema, type StoredPurgeJob } from "./compliance-records";
import { cutoffOf, EXECUTION_HISTORY_PURPOSE, PURGED_CLASSES, RETENTION_POLICIES, type DataClass } from "./retention-policies";

/**
 * Retention purges. Cron (Cloud Scheduler, hourly) creates one job per class and UTC day and
 * publishes its first step to Pub/Sub (`compliance-purge`): a step is a bounded amount of work
 * that may take minutes, Pub/Sub redelivers a failed one with backoff, and chaining steps as
 * messages keeps every invocation short. Each batch commits its deletions (with tombstones)
 * and the job's cursor and count together, so a crashed step resumes where it stopped and
 * nothing is counted twice. The hourly run also re-publishes a job whose step was lost.
 */
export const PURGE_TOPIC = "compliance-purge";

export type PurgeMessage = { jobId: string; step: number };
export type PurgePublisher = { publish(message: PurgeMessage): Promise<void> };

/** How long a step holds its job; a step that died frees it after this. */
export const PURGE_LEASE_MS = 3 * 60_000;

export type PurgeDeps = {
  db: Firestore;
  clock: Clock;
  publisher: PurgePublisher;
  /** Whether `uid` consented to `purpose` (the consent ledger). */
  hasConsent(uid: string, purpose: string): Promise<boolean>;
  workspaces: Pick<WorkspaceDeletion, "duePass">;
  /** Retention days per class, overriding the policy table (tests, an operator's param). */
  retentionDays?: Partial<Record<DataClass, number>>;
  /** Documents per batch. @default 200 */
  batchSize?: number;
  /** Documents per step. @default 5000 */
  maxDocsPerStep?: number;
  logger?: Logger;
};

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const purgeJobId = (dataClass: DataClass, day: string) => `${dataClass}@${day}`;

export function createPurgeJobs(deps: PurgeDeps) {
  const { db, clock } = deps;
  const log = deps.logger ?? defaultLogger;
  const onDelete = (batch: WriteBatch, ref: DocumentReference) => {
    deleteWithTombstone(batch, ref, clock);
  };
  const isRedaction = (c: DataClass) => RETENTION_POLICIES[c].action === "redact";

  function passFor(dataClass: DataClass, cutoff: number): PassSource {
    switch (dataClass) {
      case "executions":
        return expiredExecutions(db, clock, cutoff);
      case "executionIo":
        return executionIoRedaction(db, clock, cutoff);
      case "executionIoWithoutConsent": {
        const consented = new Map<string, Promise<boolean>>();
        const keep = (uid: string) => {
          let answer = consented.get(uid);
          if (!answer) consented.set(uid, (answer = deps.hasConsent(uid, EXECUTION_HISTORY_PURPOSE)));
          return answer;
        };
        return executionIoRedaction(db, clock, cutoff, keep);
      }
      case "auditLogs":
        return expiredLabelEvents(db, cutoff, onDelete);
      case "webhookDeliveries":
        return expiredWebhookDeliveries(db, cutoff, onDelete);
      case "outboxEvents":
        return expiredOutboxEvents(db, cutoff, onDelete);
      case "metrics":
        return expiredEventStats(db, cutoff, onDelete);
      case "webhookMetrics":
        return expiredWebhookStats(db, cutoff, onDelete);
      case "deletedWorkspaces":
        return deps.workspaces.duePass(clock.now());
      case "backups":
        throw new PoisonEventError("Backups are purged by the backup domain.");
    }
  }

  /** Creates today's job of every class (once) and publishes each new or stalled job's step. */
  async function schedule(now = clock.now()): Promise<string[]> {
    const published: string[] = [];
    for (const dataClass of PURGED_CLASSES) {
      const ref = db.collection(PURGE_JOBS).doc(purgeJobId(dataClass, dayOf(now)));
      const watermark = isRedaction(dataClass) ? await db.collection(RETENTION_WATERMARKS).doc(dataClass).get() : null;
      const start = (watermark?.get("cursor") as PassCursor | undefined) ?? null;
      const step = await db.runTransaction(async (tx) => {
        const existing = readRecord(await tx.get(ref), storedPurgeJobSchema, { kind: "purge job" });
        if (existing) return existing.status === "running" && (existing.leaseUntil?.toMillis() ?? 0) <= now ? existing.step : null;
        const at = Timestamp.fromMillis(now);
        const job: StoredPurgeJob = {
          dataClass,
          day: dayOf(now),
          cutoff: Timestamp.fromMillis(cutoffOf(dataClass, now, deps.retentionDays)),
          status: "running",
          cursor: start,
          processed: 0,
          step: 0,
          leaseUntil: null,
          startedAt: at,
          completedAt: null,
          updatedAt: at,
        };
        tx.create(ref, job);
        return 0;
      });
      if (step !== null) {
        await deps.publisher.publish({ jobId: ref.id, step });
        published.push(ref.id);
      }
    }
    return published;
  }

  /** One step of a job: up to `maxDocsPerStep` documents, then the next step is published (or the job is done). */
  async function runStep({ jobId, step }: PurgeMessage): Promise<"done" | "continued" | "stale"> {
    const ref = db.collection(PURGE_JOBS).doc(jobId);
    const now = clock.now();
    const job = await db.runTransaction(async (tx) => {
      const stored = readRecord(await tx.get(ref), storedPurgeJobSchema, { kind: "purge job" });
      if (!stored) throw new PoisonEventError(`No purge job ${jobId}.`);
      if (stored.status === "done" || stored.step !== step) return null;
      if ((stored.leaseUntil?.toMillis() ?? 0) > now) throw new EventInProgressError(`${jobId}#${step}`);
      tx.update(ref, { leaseUntil: Timestamp.fromMillis(now + PURGE_LEASE_MS) });
      return stored;
    });
    if (!job) return "stale";
    const pass = passFor(job.dataClass, job.cutoff.toMillis());
    const batchSize = job.dataClass === "deletedWorkspaces" ? 1 : deps.batchSize;
    let result;
    try {
      result = await runBoundedPass(
        db,
        {
          ...pass,
          saveProgress(batch, progress, done) {
            const at = Timestamp.fromMillis(clock.now());
            batch.update(ref, {
              cursor: progress.cursor,
              processed: progress.processed,
              updatedAt: at,
              ...(done ? { status: "done", completedAt: at, leaseUntil: null } : { leaseUntil: Timestamp.fromMillis(clock.now() + PURGE_LEASE_MS) }),
            });
          },
        },
        { cursor: job.cursor, processed: job.processed },
        { ...(batchSize ? { batchSize } : {}), ...(deps.maxDocsPerStep ? { maxDocs: deps.maxDocsPerStep } : {}) },
      );
    } catch (error) {
      // Free the job so the redelivery resumes at once from the last committed batch.
      await ref.update({ leaseUntil: null });
      throw error;
    }
    if (result.done) {
      if (isRedaction(job.dataClass)) await db.collection(RETENTION_WATERMARKS).doc(job.dataClass).set({ cursor: result.cursor, updatedAt: Timestamp.fromMillis(clock.now()) });
      log.info("purge_job_done", { jobId, dataClass: job.dataClass, processed: result.processed, steps: step + 1 });
      return "done";
    }
    await ref.update({ step: step + 1, leaseUntil: null, updatedAt: Timestamp.fromMillis(clock.now()) });
    await deps.publisher.publish({ jobId, step: step + 1 });
    return "continued";
  }

  return { schedule, runStep, passFor };
}

export type PurgeJobs = ReturnType<typeof createPurgeJobs>;
