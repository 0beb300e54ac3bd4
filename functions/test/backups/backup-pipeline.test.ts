import { Timestamp } from "firebase-admin/firestore";
import type { Bucket, File } from "@google-cloud/storage";
import { createBackupExports } from "../../src/backups/backup-export";
import { createBackupReplication } from "../../src/backups/backup-replication";
import { createBackupRetention } from "../../src/backups/backup-retention";
import type { BackupBucket, BackupDeps } from "../../src/backups/backup-deps";
import type { BackupManifest } from "../../src/backups/backups-records";
import { createFixture, type Fixture } from "./backup-fixture";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seed(f: Fixture, n = 30): Promise<void> {
  const batch = f.db.batch();
  for (let i = 0; i < n; i++) batch.set(f.db.doc(`workspaces/w1/prompts/p${i}`), { name: `prompt ${i}`, updatedAt: Timestamp.now(), tags: ["a", i] });
  await batch.commit();
}

/** Start, poll until exported, then drain the replication queue (Pub/Sub's part). */
async function backup(f: Fixture, base: BackupDeps, scheduledAt = Date.now()): Promise<BackupManifest> {
  const t0 = Date.now();
  const deps = { ...base, clock: { now: () => scheduledAt + (Date.now() - t0) } };
  const exports = createBackupExports(deps);
  const replication = createBackupReplication(deps);
  const started = await exports.start(scheduledAt);
  let manifest = started;
  for (let i = 0; i < 100 && manifest.status === "exporting"; i++) {
    await sleep(20);
    manifest = (await exports.poll(started.id))!;
  }
  while (f.queue.length) {
    const message = f.queue.shift()!;
    await replication.step(message.backupId, message.region);
  }
  return (await exports.read(started.id))!;
}

/** A bucket whose object handles misbehave for chosen copies (corruption in transit, a crash). */
function faultyBucket(real: Bucket, onCopy: (name: string) => "ok" | "corrupt" | "crash"): BackupBucket {
  return {
    name: real.name,
    getFiles: real.getFiles.bind(real),
    file: ((name: string) => {
      const file = real.file(name);
      const copy = file.copy.bind(file);
      return Object.assign(file, {
        copy: async (target: File) => {
          const what = onCopy(name);
          if (what === "crash") throw new Error("instance crashed mid-replication");
          if (what === "corrupt") {
            await target.save("corrupted bytes", { resumable: false });
            return [target];
          }
          return copy(target);
        },
      });
    }) as Bucket["file"],
  };
}

test("a daily backup exports, lists checksums, saves the config assets and is verified in every region", async () => {
  const f = await createFixture();
  await seed(f);
  const manifest = await backup(f, f.deps());
  expect(manifest.status).toBe("verified");
  expect(manifest.operationName).toMatch(/operations\//);
  expect(manifest.objects.map((o) => o.name.slice(manifest.prefix.length + 1))).toEqual([
    "all_namespaces/all_kinds/output-0.ndjson",
    "config/firestore.indexes.json",
    "config/firestore.rules",
    `${manifest.prefix.split("/").pop()}.overall_export_metadata`,
  ]);
  for (const object of manifest.objects) expect(object.crc32c).toMatch(/^[A-Za-z0-9+/]{6}==$/);
  for (const region of ["us-east1", "europe-west1"]) {
    const copy = manifest.regions[region]!;
    expect(copy).toMatchObject({ status: "verified", cursor: manifest.objects.length, recopies: 0, error: null });
    for (const object of manifest.objects) {
      const [meta] = await f.storage.bucket(copy.bucket).file(object.name).getMetadata();
      expect([meta.crc32c, meta.md5Hash, Number(meta.size)]).toEqual([object.crc32c, object.md5Hash, object.size]);
    }
  }
  expect(f.alerts).toEqual([]);
});

test("a copy corrupted in transit is detected by its checksum and copied again", async () => {
  const f = await createFixture();
  await seed(f);
  let corrupted = 0;
  const deps = f.deps({
    bucket: (name) => faultyBucket(f.storage.bucket(name), (object) => (name === f.settings.primaryBucket && object.endsWith("output-0.ndjson") && corrupted++ < 1 ? "corrupt" : "ok")),
  });
  const manifest = await backup(f, deps);
  expect(manifest.status).toBe("verified");
  expect(Object.values(manifest.regions).reduce((n, r) => n + r.recopies, 0)).toBe(1);
});

test("a copy that stays corrupted fails its region, marks the backup partial and alerts", async () => {
  const f = await createFixture({ maxCopyAttempts: 2 });
  await seed(f);
  const deps = f.deps({ bucket: (name) => faultyBucket(f.storage.bucket(name), (object) => (object.endsWith("output-0.ndjson") ? "corrupt" : "ok")) });
  const manifest = await backup(f, deps);
  expect(manifest.status).toBe("partial");
  expect(manifest.alert).toBe("copy-failed");
  expect(Object.values(manifest.regions).map((r) => r.status)).toEqual(["failed", "failed"]);
  expect(f.alerts.filter((a) => a.reason === "copy-failed")).toHaveLength(2);
});

test("a crash mid-replication resumes from the manifest's cursor without copying done objects again", async () => {
  const f = await createFixture({ copyBatchSize: 2, regions: [] });
  await seed(f);
  const east = `${f.settings.primaryBucket.replace("-primary", "")}-us-east1`;
  f.settings.regions.push({ region: "us-east1", bucket: east });
  const copies: string[] = [];
  let crashed = false;
  const deps = f.deps({
    bucket: (name) =>
      faultyBucket(f.storage.bucket(name), (object) => {
        if (object.endsWith("firestore.rules") && !crashed) {
          crashed = true;
          return "crash";
        }
        copies.push(object);
        return "ok";
      }),
  });
  const exports = createBackupExports(deps);
  const replication = createBackupReplication(deps);
  let manifest = await exports.start(Date.now());
  while (manifest.status === "exporting") manifest = (await exports.poll(manifest.id))!;
  const first = f.queue.shift()!;
  await replication.step(first.backupId, first.region);
  await expect(replication.step(f.queue[0]!.backupId, "us-east1")).rejects.toThrow("crashed");
  expect((await exports.read(manifest.id))!.regions["us-east1"]!.cursor).toBe(2);
  // Pub/Sub redelivers the failed step.
  while (f.queue.length) {
    const m = f.queue.shift()!;
    await replication.step(m.backupId, m.region);
  }
  const done = (await exports.read(manifest.id))!;
  expect(done.status).toBe("verified");
  expect(copies).toEqual(done.objects.map((o) => o.name));
});

test("verify finds a corrupted and a missing copy at rest, alerts, and repairs both", async () => {
  const f = await createFixture();
  await seed(f);
  const manifest = await backup(f, f.deps());
  const west = f.storage.bucket(manifest.regions["europe-west1"]!.bucket);
  const [data, rules] = [manifest.objects[0]!.name, manifest.objects[2]!.name];
  await west.file(data).save("bit rot", { resumable: false });
  await west.file(rules).delete();
  const report = await createBackupReplication(f.deps()).verify(manifest.id, { repair: true });
  expect(report["us-east1"]).toEqual({ checked: 4, bad: [], repaired: [] });
  expect(report["europe-west1"]).toEqual({ checked: 4, bad: [`${data}: size`, `${rules}: missing`], repaired: [data, rules] });
  expect(f.alerts.map((a) => a.reason)).toEqual(["copy-mismatch", "copy-mismatch"]);
  const again = await createBackupReplication(f.deps()).verify(manifest.id, { repair: false });
  expect(again["europe-west1"]!.bad).toEqual([]);
});

test("retention purges old backups from every bucket but never the newest verified one", async () => {
  const f = await createFixture({ dailyRetentionDays: 30 });
  await seed(f, 3);
  const day = 86_400_000;
  const old = await backup(f, f.deps(), Date.UTC(2025, 0, 10, 2));
  const older = await backup(f, f.deps(), Date.UTC(2025, 0, 9, 2));
  // Both are far older than 30 days; `old` is the newest verified and must survive, `older` too as January's compliance copy.
  let result = await createBackupRetention(f.deps({ clock: { now: () => Date.UTC(2025, 0, 10) + 90 * day } })).run();
  expect(result.purge).toEqual([]);
  expect(Object.fromEntries(result.keep.map((k) => [k.id, k.why]))).toEqual({ [older.id]: "monthly compliance", [old.id]: "newest verified" });
  // Eight years later the compliance copy goes; the newest verified still stays.
  result = await createBackupRetention(f.deps({ clock: { now: () => Date.UTC(2033, 1, 1) } })).run();
  expect(result.purge).toEqual([older.id]);
  expect(result.keep.map((k) => k.id)).toEqual([old.id]);
  for (const bucket of [f.settings.primaryBucket, ...f.settings.regions.map((r) => r.bucket)]) {
    const [left] = await f.storage.bucket(bucket).getFiles({ prefix: `${older.prefix}/` });
    expect(left).toEqual([]);
    const [kept] = await f.storage.bucket(bucket).getFiles({ prefix: `${old.prefix}/` });
    expect(kept).toHaveLength(4);
  }
  expect((await f.db.doc(`backups/${older.id}`).get()).get("status")).toBe("purged");
});
