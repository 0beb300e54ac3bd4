import { Timestamp, type Firestore, type WriteBatch } from "firebase-admin/firestore";
import { complianceWorkers } from "../../src/compliance/compliance-service";
import { createConsentLedger, CURRENT_POLICY_VERSION } from "../../src/compliance/consent-ledger";
import { createPurgeJobs, type PurgeMessage } from "../../src/compliance/purge-jobs";
import type { DataClass } from "../../src/compliance/retention-policies";
import { executionPath } from "../../src/executions/execution-records";
import { manualClock } from "../../src/lib/clock";
import { createWorker, DEAD_LETTERS } from "../../src/lib/workers";
import { createWorkspaceDeletion } from "../../src/workspaces/workspace-deletion";
import { freshDatabase, seedExecutions, storedExecution } from "./compliance-fixtures";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 29, 12);

/**
 * Firestore with a crash injected into the nth batch commit: before it (nothing of that batch
 * lands) or after it (the batch landed, the process died before the next). Everything else is
 * the real client against the local Firestore server.
 */
function crashingOn(db: Firestore, n: number, when: "before" | "after"): Firestore {
  let commits = 0;
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "batch") {
        return () => {
          const batch = target.batch();
          const commit = batch.commit.bind(batch);
          return Object.assign(batch, {
            commit: async () => {
              commits++;
              if (commits === n && when === "before") throw new Error("crash before commit");
              const result = await commit();
              if (commits === n && when === "after") throw new Error("crash after commit");
              return result;
            },
          }) as WriteBatch;
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function purgeWorld(db: Firestore, options: { batchSize: number; maxDocsPerStep: number }) {
  const clock = manualClock(NOW);
  const queue: PurgeMessage[] = [];
  const consents = createConsentLedger({ db, clock });
  const workspaces = createWorkspaceDeletion({ db, clock, access: { require: async () => undefined }, bucket: () => ({ getFiles: async () => [[]], deleteFiles: async () => undefined }) });
  const build = (database: Firestore) =>
    createPurgeJobs({ db: database, clock, publisher: { publish: async (m) => void queue.push(m) }, hasConsent: consents.hasConsent, workspaces, ...options });
  /** Runs the published steps of one class until its job is done. */
  const drain = async (purge: ReturnType<typeof build>, dataClass: DataClass) => {
    let steps = 0;
    for (let m = queue.find((q) => q.jobId.startsWith(`${dataClass}@`)); m; m = queue.find((q) => q.jobId.startsWith(`${dataClass}@`))) {
      queue.splice(queue.indexOf(m), 1);
      await purge.runStep(m);
      steps++;
    }
    return steps;
  };
  const job = async (dataClass: DataClass) => (await db.collection("purgeJobs").doc(`${dataClass}@2026-11-29`).get()).data()!;
  return { clock, queue, consents, build, drain, job };
}

const count = async (db: Firestore, group: string) => (await db.collectionGroup(group).count().get()).data().count;

describe("retention purge", () => {
  it("deletes every expired execution and nothing else, in bounded steps, each delete with its tombstone, counted once", async () => {
    const { db } = freshDatabase();
    await seedExecutions(db, 700, (i) => NOW - 91 * DAY - i * 1000);
    await seedExecutions(db, 50, () => NOW - DAY, 3, () => "fresh", "fresh");
    const world = purgeWorld(db, { batchSize: 100, maxDocsPerStep: 300 });
    const purge = world.build(db);
    expect(await purge.schedule(NOW)).toContain("executions@2026-11-29");
    expect(await world.drain(purge, "executions")).toBe(3);
    expect(await world.job("executions")).toMatchObject({ status: "done", processed: 700, step: 2, leaseUntil: null });
    expect(await count(db, "executions")).toBe(50);
    expect(await count(db, "tombstones")).toBe(700);
    // The next hour's run neither re-creates nor re-publishes a finished job.
    world.queue.length = 0;
    expect(await purge.schedule(NOW + 3_600_000)).not.toContain("executions@2026-11-29");
  });

  it.each(["before", "after"] as const)("resumes after a crash %s a batch's commit: nothing missed, nothing counted twice", async (when) => {
    const { db } = freshDatabase();
    await seedExecutions(db, 530, (i) => NOW - 100 * DAY - i * 1000);
    const world = purgeWorld(db, { batchSize: 50, maxDocsPerStep: 5000 });
    await world.build(db).schedule(NOW);
    const message = world.queue.find((m) => m.jobId.startsWith("executions@"))!;
    await expect(world.build(crashingOn(db, 4, when)).runStep(message)).rejects.toThrow(`crash ${when} commit`);
    const crashed = await world.job("executions");
    expect(crashed).toMatchObject({ status: "running", processed: when === "before" ? 150 : 200, leaseUntil: null });
    expect(await count(db, "executions")).toBe(530 - crashed.processed);
    // Pub/Sub redelivers the same message: the step resumes from the last committed batch.
    expect(await world.build(db).runStep(message)).toBe("done");
    expect(await world.job("executions")).toMatchObject({ status: "done", processed: 530 });
    expect(await count(db, "executions")).toBe(0);
    expect(await count(db, "tombstones")).toBe(530);
  });

  it("keeps a run's inputs and outputs past one day only for authors who consented to execution history", async () => {
    const { db } = freshDatabase();
    const world = purgeWorld(db, { batchSize: 100, maxDocsPerStep: 1000 });
    await db.doc(executionPath("w1", "e-none")).set(storedExecution("w1", "u-none", NOW - 2 * DAY, "private words"));
    await db.doc(executionPath("w1", "e-yes")).set(storedExecution("w1", "u-yes", NOW - 2 * DAY, "kept words"));
    await db.doc(executionPath("w1", "e-new")).set(storedExecution("w1", "u-none", NOW - 3_600_000, "fresh words"));
    await world.consents.set("u-yes", "execution-history", true, CURRENT_POLICY_VERSION, "user");
    const purge = world.build(db);
    await purge.schedule(NOW);
    await world.drain(purge, "executionIoWithoutConsent");
    expect(await world.job("executionIoWithoutConsent")).toMatchObject({ status: "done", processed: 1 });
    const [none, yes, fresh] = await Promise.all(["e-none", "e-yes", "e-new"].map(async (id) => (await db.doc(executionPath("w1", id)).get()).data()!));
    expect(none).toMatchObject({ variablesJson: "{}", output: "", retrieval: { query: "" }, citations: [expect.objectContaining({ snippet: "" })], ioRedactedAt: expect.anything() });
    expect(none.usage).toEqual({ inputTokens: 3, outputTokens: 5 });
    expect(yes).toMatchObject({ output: "Answer for kept words" });
    expect(fresh).toMatchObject({ output: "Answer for fresh words" });
    // The next day's pass starts after where this one stopped (its watermark), so it reads nothing again.
    expect((await db.collection("retentionWatermarks").doc("executionIoWithoutConsent").get()).data()).toMatchObject({ cursor: { path: expect.stringContaining("workspaces/w1/executions/") } });
  });

  it("runs every class's pass: old audit records, delivery logs, published events and counters go; recent ones and unpublished events stay", async () => {
    const { db } = freshDatabase();
    const world = purgeWorld(db, { batchSize: 50, maxDocsPerStep: 1000 });
    const ts = (ms: number) => Timestamp.fromMillis(ms);
    const old = NOW - 8 * 365 * DAY;
    const seeds: Record<string, Record<string, unknown>> = {
      "workspaces/w1/prompts/p1/labelEvents/00000001": { at: ts(old) },
      "workspaces/w1/prompts/p1/labelEvents/00000002": { at: ts(NOW - DAY) },
      "webhookDeliveries/old": { createdAt: ts(NOW - 31 * DAY) },
      "webhookDeliveries/new": { createdAt: ts(NOW - DAY) },
      "events/old-published": { published: true, occurredAt: ts(NOW - 31 * DAY) },
      "events/old-unpublished": { published: false, occurredAt: ts(NOW - 31 * DAY) },
      "events/new": { published: true, occurredAt: ts(NOW - DAY) },
      "workspaces/w1/eventStats/2025-01-01": { day: "2025-01-01" },
      "workspaces/w1/eventStats/2026-11-28": { day: "2026-11-28" },
      "webhookStats/e1_2025-01-01_0": { day: "2025-01-01" },
      "webhookStats/e1_2026-11-28_0": { day: "2026-11-28" },
    };
    for (const [path, data] of Object.entries(seeds)) await db.doc(path).set(data);
    const purge = world.build(db);
    await purge.schedule(NOW);
    for (const dataClass of ["auditLogs", "webhookDeliveries", "outboxEvents", "metrics", "webhookMetrics", "deletedWorkspaces"] as const) {
      await world.drain(purge, dataClass);
      expect(await world.job(dataClass)).toMatchObject({ status: "done", processed: dataClass === "deletedWorkspaces" ? 0 : 1 });
    }
    const left = (await Promise.all(Object.keys(seeds).map(async (path) => ((await db.doc(path).get()).exists ? path : null)))).filter(Boolean);
    expect(left.sort()).toEqual(["events/new", "events/old-unpublished", "webhookDeliveries/new", "webhookStats/e1_2026-11-28_0", "workspaces/w1/eventStats/2026-11-28", "workspaces/w1/prompts/p1/labelEvents/00000002"]);
    expect(await count(db, "tombstones")).toBe(5);
  });

  it("dead-letters a malformed or unknown purge message instead of retrying it", async () => {
    const { db } = freshDatabase();
    const world = purgeWorld(db, { batchSize: 10, maxDocsPerStep: 10 });
    const purge = world.build(db);
    const workers = complianceWorkers({ purge, requests: null as never, reports: null as never, onAuthUserDeleted: null as never }, world.clock);
    const run = createWorker(workers.runPurgeStep, { db, clock: world.clock });
    expect(await run({ id: "m1", data: { jobId: "../../x", step: -1 }, attempt: 1 })).toBe("dead-lettered");
    expect(await run({ id: "m2", data: { jobId: "executions@2020-01-01", step: 0 }, attempt: 1 })).toBe("dead-lettered");
    const letters = (await db.collection(DEAD_LETTERS).get()).docs.map((d) => d.get("reason") as string).sort();
    expect(letters).toEqual(["invalid-payload", "poison"]);
  });
});
