import { FieldValue, GeoPoint, Timestamp } from "firebase-admin/firestore";
import { createBackupDrill } from "../../src/backups/backup-drill";
import { createIncrementalBackups } from "../../src/backups/backup-incremental";
import { createBackupRestore } from "../../src/backups/backup-restore";
import { recordTombstone } from "../../src/backups/tombstones";
import { systemClock } from "../../src/lib/clock";
import { createFixture, dumpDatabase, firestoreFor, fullBackup, type Fixture } from "./backup-fixture";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BOOKKEEPING = new Set(["backups", "backupIncrementals", "backupState", "tombstones", "backupDrills"]);

async function seed(f: Fixture): Promise<void> {
  const batch = f.db.batch();
  for (let i = 0; i < 200; i++) {
    batch.set(f.db.doc(`workspaces/w${i % 4}/prompts/p${i}`), { name: `prompt ${i}`, updatedAt: Timestamp.now(), n: i, at: new GeoPoint(1, i % 90), raw: Buffer.from([i % 256]), nested: { "$odd": true } });
    batch.set(f.db.doc(`workspaces/w${i % 4}/documents/d${i}`), { title: `doc ${i}`, updatedAt: Timestamp.now(), embedding: FieldValue.vector([i, 0.5, -1]) });
  }
  for (let i = 0; i < 4; i++) batch.set(f.db.doc(`workspaces/w${i}`), { name: `w${i}` });
  await batch.commit();
}

/** Changes after the export: updates, creates, deletes (with their tombstones), a delete-then-recreate. */
async function mutate(f: Fixture, round: number): Promise<void> {
  const batch = f.db.batch();
  for (let i = round; i < 200; i += 7) batch.set(f.db.doc(`workspaces/w${i % 4}/prompts/p${i}`), { name: `renamed ${round}`, updatedAt: Timestamp.now(), n: -i });
  for (let i = 0; i < 5; i++) batch.set(f.db.doc(`workspaces/w1/prompts/new-${round}-${i}`), { name: "new", updatedAt: Timestamp.now(), ref: f.db.doc("workspaces/w1") });
  for (let i = 10 + round; i < 200; i += 13) {
    const ref = f.db.doc(`workspaces/w${i % 4}/documents/d${i}`);
    batch.delete(ref);
    recordTombstone(batch, f.db, ref, systemClock);
  }
  await batch.commit();
  if (round === 1) {
    const ref = f.db.doc("workspaces/w3/prompts/p3");
    const del = f.db.batch();
    del.delete(ref);
    recordTombstone(del, f.db, ref, systemClock);
    await del.commit();
    await sleep(5);
    await ref.set({ name: "recreated", updatedAt: Timestamp.now() });
  }
  await sleep(5);
}

test("the last full export plus the hourly files restore the database exactly, every document compared", async () => {
  const f = await createFixture();
  await seed(f);
  const backupId = await fullBackup(f);
  const incrementals = createIncrementalBackups(f.deps());
  for (const round of [1, 2]) {
    await mutate(f, round);
    const file = await incrementals.run();
    expect(file).toMatchObject({ regions: { "us-east1": "verified", "europe-west1": "verified" } });
  }
  const restore = createBackupRestore({ ...f.deps(), target: (databaseId) => firestoreFor(databaseId) });
  const plan = await restore.restore({ backupId, databaseId: `${f.databaseId}-restored`, dryRun: true });
  expect(plan.incrementals).toHaveLength(2);
  expect(await firestoreFor(`${f.databaseId}-restored`).listCollections()).toEqual([]);

  const phases: string[] = [];
  const started = Date.now();
  const result = await restore.restore({ backupId, databaseId: `${f.databaseId}-restored` }, (p) => phases.push(p.phase));
  const restoreMs = Date.now() - started;
  expect(result.deletes).toBeGreaterThan(20);
  expect(phases).toContain("import");
  expect(phases.filter((p) => p === "replay")).toHaveLength(2);
  const [live, restored] = await Promise.all([dumpDatabase(f.db, BOOKKEEPING), dumpDatabase(firestoreFor(`${f.databaseId}-restored`), BOOKKEEPING)]);
  expect(Object.keys(restored).length).toBeGreaterThan(350);
  expect(restored).toEqual(live);
  expect(restored["workspaces/w3/prompts/p3"]).toMatchObject({ name: "recreated" });
  console.log(`restore of ${Object.keys(restored).length} documents (${result.puts} puts, ${result.deletes} deletes replayed) took ${restoreMs} ms (import ${result.importMs} ms)`);
});

test("a restore from a region's copy works when the primary bucket is gone", async () => {
  const f = await createFixture();
  await seed(f);
  const backupId = await fullBackup(f);
  await f.storage.bucket(f.settings.primaryBucket).deleteFiles({ force: true });
  const restore = createBackupRestore({ ...f.deps(), target: (databaseId) => firestoreFor(databaseId) });
  await restore.restore({ backupId, databaseId: `${f.databaseId}-east`, fromRegion: "europe-west1" });
  expect(await dumpDatabase(firestoreFor(`${f.databaseId}-east`), BOOKKEEPING)).toEqual(await dumpDatabase(f.db, BOOKKEEPING));
});

test("the drill restores the newest verified backup into a scratch database, records the result, and alerts on a mismatch", async () => {
  const f = await createFixture();
  await seed(f);
  await fullBackup(f);
  const deps = f.deps();
  const restore = createBackupRestore({ ...deps, target: (databaseId) => firestoreFor(databaseId) });
  const drill = createBackupDrill({ ...deps, restore, target: (databaseId) => firestoreFor(databaseId), databaseId: `${f.databaseId}-drill` });
  const passed = await drill.run();
  expect(passed).toMatchObject({ status: "passed", mismatches: [] });
  expect(passed.counts["workspaces"]).toEqual({ source: 4, restored: 4 });
  expect(passed.sampled).toBeGreaterThan(0);
  // A change the backup cannot know about (no updatedAt, no tombstone): the drill must notice.
  await f.db.doc("workspaces/w0").set({ name: "tampered" });
  const failed = await drill.run();
  expect(failed.status).toBe("failed");
  expect(failed.mismatches).toEqual(["workspaces/w0: checksum differs"]);
  expect(f.alerts.map((a) => a.reason)).toEqual(["drill-failed"]);
  expect((await f.db.collection("backupDrills").get()).size).toBe(2);
});
