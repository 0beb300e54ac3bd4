import { Timestamp } from "firebase-admin/firestore";
import { createBackupExports } from "../../src/backups/backup-export";
import { createBackupReplication } from "../../src/backups/backup-replication";
import { createBackupRestore } from "../../src/backups/backup-restore";
import { createCompliance } from "../../src/compliance/compliance-service";
import { executionPath } from "../../src/executions/execution-records";
import { createAccessControl } from "../../src/identity/access-control";
import { passThroughCache } from "../../src/lib/cache";
import { systemClock } from "../../src/lib/clock";
import { createWorkspaceService } from "../../src/workspaces/workspace-service";
import { createFixture, firestoreFor, type Fixture } from "../backups/backup-fixture";
import { upstashClient } from "../rate-limit/redis-env";
import { storedExecution } from "./compliance-fixtures";
import { scanFor } from "./scanner";

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function fullBackup(f: Fixture): Promise<string> {
  const deps = f.deps();
  const exports = createBackupExports(deps);
  const replication = createBackupReplication(deps);
  let manifest = await exports.start(Date.now());
  while (manifest.status === "exporting") {
    await sleep(20);
    manifest = (await exports.poll(manifest.id))!;
  }
  while (f.queue.length) {
    const m = f.queue.shift()!;
    await replication.step(m.backupId, m.region);
  }
  return manifest.id;
}

test("a restore of a backup taken before an erasure erases the person again before it returns (the ledger re-applied)", async () => {
  const f = await createFixture();
  const cache = passThroughCache;
  const access = createAccessControl({ db: f.db, cache });
  const workspaces = createWorkspaceService({ db: f.db, clock: systemClock, access, cache });
  const sub = `sub-${f.databaseId}`;
  const other = `oth-${f.databaseId}`;
  await f.db.doc(`users/${sub}`).set({ plan: "free", displayName: "Sam" });
  const team = await workspaces.create(other, { name: "Team" });
  const solo = await workspaces.create(sub, { name: "Solo" });
  await workspaces.setMember({ kind: "user", uid: other }, { workspaceId: team.id, uid: sub, role: "editor" });
  await f.db.doc(`workspaces/${team.id}/prompts/p1`).set({ name: "Greeter", createdBy: sub, createdAt: Timestamp.now(), updatedAt: Timestamp.now() });
  await f.db.doc(executionPath(team.id, "e-sub")).set(storedExecution(team.id, sub, Date.now()));
  await f.db.doc(executionPath(team.id, "e-other")).set(storedExecution(team.id, other, Date.now()));
  const backupId = await fullBackup(f);

  const [scratch] = await f.storage.createBucket(`${f.databaseId}-default`);
  const compliance = createCompliance({ db: f.db, clock: systemClock, access, bucket: () => scratch, redis: upstashClient(), cache, publisher: { publish: async () => "m" }, signUrls: false });
  const request = await compliance.requests.submit("erasure", sub, "user");
  expect(await compliance.requests.process(request.id)).toBe("completed");

  const restore = createBackupRestore({ ...f.deps(), target: (databaseId) => firestoreFor(databaseId) });
  const restoredId = `${f.databaseId}-restored`;
  const result = await restore.restore({ backupId, databaseId: restoredId });
  expect(result.erasures).toMatchObject({ subjects: 1 });
  expect(result.erasures!.deleted).toBeGreaterThanOrEqual(4);

  const restored = firestoreFor(restoredId);
  const left = await scanFor({ db: restored, buckets: [], redis: upstashClient(), needles: [sub], skipCollections: new Set(["dataRequests", "erasureLedger", "tombstones", "backups", "backupIncrementals", "backupState"]) });
  expect(left.filter((id) => id.startsWith("firestore:"))).toEqual([]);
  expect((await restored.doc(executionPath(team.id, "e-other")).get()).exists).toBe(true);
  expect((await restored.doc(`workspaces/${team.id}/prompts/p1`).get()).data()).toMatchObject({ createdBy: "erased-user" });
  expect((await restored.doc(`workspaces/${solo.id}`).get()).exists).toBe(false);
  expect((await restored.collection("erasureLedger").doc(sub).get()).data()).toMatchObject({ subjectUid: sub, requestId: request.id });
});
