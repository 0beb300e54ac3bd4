import type { Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import { createWorker, type WorkerDeps } from "../lib/workers";
import type { BackupDeps } from "./backup-deps";
import { createBackupDrill } from "./backup-drill";
import { createBackupExports } from "./backup-export";
import { createIncrementalBackups } from "./backup-incremental";
import { createBackupPoller } from "./backup-poller";
import { createBackupReplication } from "./backup-replication";
import { createBackupRestore } from "./backup-restore";
import { createBackupRetention } from "./backup-retention";

const scheduledRun = z.looseObject({ scheduleTime: z.string() });
const replicationStep = z.object({ backupId: z.string().min(1), region: z.string().min(1) });

/**
 * The backup domain's event-driven handlers, each on the one worker pattern. Cron (Cloud
 * Scheduler) starts, polls, captures, purges and drills; Pub/Sub fans replication out per region
 * and redelivers a step that failed (its cursor makes the redelivery resume, not restart).
 */
export function createBackupHandlers(deps: BackupDeps & { target: (databaseId: string, projectId: string) => Firestore; drillDatabaseId: string }, workerDeps: WorkerDeps) {
  const exports = createBackupExports(deps);
  const replication = createBackupReplication(deps);
  const restore = createBackupRestore(deps);
  return {
    exports,
    replication,
    restore,
    /** Daily: one export per scheduled time (a retried run finds its manifest). */
    startDaily: createWorker({ name: "backups.start", payload: scheduledRun, idempotency: "none", handle: async ({ scheduleTime }) => void (await exports.start(Date.parse(scheduleTime))) }, workerDeps),
    /** Every 5 minutes: finish exports, resume stalled copies, report freshness. */
    poll: createWorker({ name: "backups.poll", payload: scheduledRun, idempotency: "none", handle: async () => void (await createBackupPoller(deps, exports).run()) }, workerDeps),
    /** Hourly: the changes since the watermark (the watermark makes a rerun a no-op). */
    hourly: createWorker({ name: "backups.hourly", payload: scheduledRun, idempotency: "none", handle: async () => void (await createIncrementalBackups(deps).run()) }, workerDeps),
    purge: createWorker({ name: "backups.purge", payload: scheduledRun, idempotency: "none", handle: async () => void (await createBackupRetention(deps).run()) }, workerDeps),
    drill: createWorker({ name: "backups.drill", payload: scheduledRun, handle: async () => void (await createBackupDrill({ ...deps, restore, databaseId: deps.drillDatabaseId }).run()) }, workerDeps),
    replicate: createWorker({ name: "backups.replicate", payload: replicationStep, idempotency: "none", handle: async ({ backupId, region }) => void (await replication.step(backupId, region)) }, workerDeps),
  };
}

export type BackupHandlers = ReturnType<typeof createBackupHandlers>;
