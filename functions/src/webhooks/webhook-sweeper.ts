import { FieldPath, Timestamp, type Firestore } from "firebase-admin/firestore";
import type { Clock } from "../lib/clock";
import { runQuery } from "../lib/firestore-queries";
import { readRecord, requireRecord } from "../lib/firestore-records";
import { logger as defaultLogger, type Logger } from "../lib/logging";
import type { WebhookDispatcher } from "./webhook-dispatcher";
import { WEBHOOK_QUERIES } from "./webhook-queries";
import { storedDeliverySchema, storedEndpointSchema, storedRecoverySchema, WEBHOOK_DELIVERIES, WEBHOOK_RECOVERIES, type DeliveryState } from "./webhook-records";

export type SweeperDeps = {
  db: Pick<Firestore, "collection" | "doc" | "runTransaction">;
  clock: Clock;
  dispatcher: Pick<WebhookDispatcher, "publish" | "applyOutcome" | "settle" | "deliveryRef" | "endpointRef" | "settings">;
  logger?: Logger;
  /** Deliveries scanned per recovery batch. @default 200 */
  recoveryBatch?: number;
  /** Time one sweep may spend on recovery jobs. @default 30 s */
  recoveryBudgetMs?: number;
};

/** States a replay or a recovery may send again: everything final, and what a disabled endpoint held. */
const REPLAYABLE: ReadonlySet<DeliveryState> = new Set(["delivered", "dead", "held", "cancelled"]);
const RECOVERABLE: ReadonlySet<DeliveryState> = new Set(["dead", "held"]);
const PARALLEL = 16;

/**
 * The scheduled half of delivery (every minute): re-publishes deliveries whose retry is due or
 * whose message was lost, takes back attempts whose worker died (the attempt is recorded as
 * `interrupted` and retried with the same webhook-id), and advances recover-since-T jobs.
 */
export function createWebhookSweeper(deps: SweeperDeps) {
  const { db, clock, dispatcher } = deps;
  const log = deps.logger ?? defaultLogger;
  const recoveryBatch = deps.recoveryBatch ?? 200;
  const ts = (ms: number) => Timestamp.fromMillis(ms);
  const DELIVERY = { kind: "webhook delivery" };

  /** Looks at one swept delivery; returns whether a message was published. */
  async function sweepOne(id: string): Promise<"published" | "interrupted" | "none"> {
    const ref = dispatcher.deliveryRef(id);
    let followUp: Parameters<WebhookDispatcher["settle"]>[0] = null;
    const action = await db.runTransaction(async (tx) => {
      followUp = null;
      const delivery = readRecord(await tx.get(ref), storedDeliverySchema, DELIVERY);
      const now = clock.now();
      if (!delivery || !delivery.sweepAt || delivery.sweepAt.toMillis() > now) return "none" as const;
      if (delivery.state === "scheduled") {
        tx.update(ref, { sweepAt: ts(now + dispatcher.settings.requeueMs) });
        return "published" as const;
      }
      if (delivery.state === "in_flight" && delivery.leaseUntil && delivery.leaseUntil.toMillis() <= now) {
        // A plain read, as when an attempt is claimed: the endpoint document is never locked per delivery.
        const endpoint = readRecord(await dispatcher.endpointRef(delivery.endpointId).get(), storedEndpointSchema, { kind: "webhook endpoint" });
        const applied = dispatcher.applyOutcome(tx, id, delivery, endpoint, { kind: "error", reason: "interrupted", message: "The worker stopped before the attempt was recorded." }, dispatcher.settings.leaseMs);
        followUp = applied.followUp;
        return applied.outcome === "retry" ? ("interrupted" as const) : ("none" as const);
      }
      if (delivery.state !== "in_flight") tx.update(ref, { sweepAt: null });
      return "none" as const;
    });
    await dispatcher.settle(followUp);
    if (action === "published") await dispatcher.publish(id);
    if (action === "interrupted") log.warn("webhook_attempt_interrupted", { deliveryId: id });
    return action;
  }

  async function inParallel<T>(items: T[], work: (item: T) => Promise<unknown>): Promise<void> {
    for (let i = 0; i < items.length; i += PARALLEL) await Promise.all(items.slice(i, i + PARALLEL).map(work));
  }

  /** Puts a final or held delivery back in line for a new round of attempts, same webhook-id. */
  async function requeue(id: string, allowed: ReadonlySet<DeliveryState>, until?: number): Promise<boolean> {
    const ref = dispatcher.deliveryRef(id);
    const requeued = await db.runTransaction(async (tx) => {
      const delivery = readRecord(await tx.get(ref), storedDeliverySchema, DELIVERY);
      if (!delivery || !allowed.has(delivery.state)) return false;
      if (until !== undefined && delivery.createdAt.toMillis() > until) return false;
      const now = clock.now();
      tx.update(ref, { state: "scheduled", rounds: delivery.rounds + 1, roundAttempts: 0, dueAt: ts(now), sweepAt: ts(now + dispatcher.settings.requeueMs), leaseToken: null, leaseUntil: null, lastReason: null, updatedAt: ts(now) });
      return true;
    });
    if (requeued) await dispatcher.publish(id);
    return requeued;
  }

  /** Runs a recovery job batch by batch from its saved cursor until done or out of budget. */
  async function advanceRecovery(jobId: string, deadline: number): Promise<void> {
    const ref = db.doc(`${WEBHOOK_RECOVERIES}/${jobId}`);
    const leased = await db.runTransaction(async (tx) => {
      const job = readRecord(await tx.get(ref), storedRecoverySchema, { kind: "webhook recovery" });
      const now = clock.now();
      if (!job || job.status !== "running" || (job.leaseUntil && job.leaseUntil.toMillis() > now)) return null;
      tx.update(ref, { leaseUntil: ts(now + 120_000) });
      return job;
    });
    if (!leased) return;
    let job = leased;
    for (;;) {
      let query = db.collection(WEBHOOK_DELIVERIES).where("workspaceId", "==", job.workspaceId);
      if (job.endpointId) query = query.where("endpointId", "==", job.endpointId);
      query = query.where("createdAt", ">=", job.since).orderBy("createdAt").orderBy(FieldPath.documentId());
      if (job.cursor) query = query.startAfter(job.cursor.createdAt, job.cursor.id);
      const page = await runQuery(WEBHOOK_QUERIES.recoveryScan, query.limit(recoveryBatch));
      const candidates = page.docs.filter((doc) => RECOVERABLE.has(requireRecord(doc, storedDeliverySchema, DELIVERY).state));
      let requeued = 0;
      await inParallel(candidates, async (doc) => {
        if (await requeue(doc.id, RECOVERABLE, job.until.toMillis())) requeued++;
      });
      const last = page.docs[page.docs.length - 1];
      const done = page.size < recoveryBatch;
      const cursor = last ? { createdAt: requireRecord(last, storedDeliverySchema, DELIVERY).createdAt, id: last.id } : job.cursor;
      job = { ...job, cursor, scanned: job.scanned + page.size, requeued: job.requeued + requeued, status: done ? "done" : "running" };
      await ref.update({ cursor, scanned: job.scanned, requeued: job.requeued, status: job.status, leaseUntil: done ? null : ts(clock.now() + 120_000), updatedAt: ts(clock.now()) });
      if (done) {
        log.info("webhook_recovery_done", { jobId, workspaceId: job.workspaceId, scanned: job.scanned, requeued: job.requeued });
        return;
      }
      if (clock.now() >= deadline) break;
    }
    await ref.update({ leaseUntil: null });
  }

  return {
    requeue,
    replay: (id: string) => requeue(id, REPLAYABLE),
    advanceRecovery,

    async sweep(): Promise<{ published: number; interrupted: number; recoveries: number }> {
      const now = clock.now();
      const due = await runQuery(WEBHOOK_QUERIES.due, db.collection(WEBHOOK_DELIVERIES).where("sweepAt", "<=", ts(now)).orderBy("sweepAt").limit(dispatcher.settings.sweepBatch));
      let published = 0;
      let interrupted = 0;
      await inParallel(due.docs, async (doc) => {
        const action = await sweepOne(doc.id);
        if (action === "published") published++;
        if (action === "interrupted") interrupted++;
      });
      const jobs = await runQuery(WEBHOOK_QUERIES.runningRecoveries, db.collection(WEBHOOK_RECOVERIES).where("status", "==", "running").limit(20));
      const deadline = clock.now() + (deps.recoveryBudgetMs ?? 30_000);
      for (const job of jobs.docs) await advanceRecovery(job.id, deadline);
      if (published + interrupted > 0) log.info("webhook_swept", { published, interrupted, recoveries: jobs.size });
      return { published, interrupted, recoveries: jobs.size };
    },
  };
}

export type WebhookSweeper = ReturnType<typeof createWebhookSweeper>;
