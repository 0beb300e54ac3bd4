import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { Storage, type Bucket } from "@google-cloud/storage";
import { Timestamp } from "firebase-admin/firestore";
import { createCompliance } from "../../src/compliance/compliance-service";
import { CURRENT_POLICY_VERSION } from "../../src/compliance/consent-ledger";
import type { AuthRecord, SubjectAuth } from "../../src/compliance/subject-data";
import { executionPath } from "../../src/executions/execution-records";
import { createAccessControl } from "../../src/identity/access-control";
import { invokeOperation } from "../../src/api/operation";
import { complianceOperations } from "../../src/compliance/compliance-operations";
import { createTwoLevelCache } from "../../src/lib/cache";
import { systemClock } from "../../src/lib/clock";
import { rateLimitKeys } from "../../src/lib/rate-limit/keys";
import { createWorkspaceService } from "../../src/workspaces/workspace-service";
import { upstashClient } from "../rate-limit/redis-env";
import { freshDatabase, storedExecution } from "./compliance-fixtures";
import { scanFor } from "./scanner";

/** The Auth emulator is not among this test's servers: a small stand-in of the narrow type the Admin SDK adapter implements. */
function fakeAuth(accounts: AuthRecord[]): SubjectAuth & { deleted: string[] } {
  const byUid = new Map(accounts.map((a) => [a.uid, a]));
  const deleted: string[] = [];
  return {
    deleted,
    getUser: async (uid) => byUid.get(uid) ?? null,
    deleteUser: async (uid) => {
      deleted.push(uid);
      return byUid.delete(uid);
    },
  };
}

async function signingBucket(): Promise<Bucket> {
  const key = JSON.parse(fs.readFileSync(process.env.LOCAL_SIGNING_KEY_FILE ?? "", "utf8")) as { client_email: string; private_key: string };
  const storage = new Storage({ projectId: process.env.GCLOUD_PROJECT, credentials: { client_email: key.client_email, private_key: key.private_key } });
  const [bucket] = await storage.createBucket(`cp-${randomBytes(5).toString("hex")}`);
  return bucket;
}

/**
 * A person (`sub`) with data in every store the product uses: a profile and consents, a workspace
 * of their own with a file, a workspace of someone else's they edit in (a prompt naming their
 * email, a version, label history, a run, a webhook endpoint and a delivery naming them, the
 * `member.added` event), a workspace they own with an admin, an API key, cached roles and
 * rate-limit state in Redis, and an Auth account.
 */
async function world() {
  const { db } = freshDatabase("dsr");
  const bucket = await signingBucket();
  const redis = upstashClient();
  const cache = createTwoLevelCache({ redis, clock: systemClock, redisTimeoutMs: 3000 });
  const access = createAccessControl({ db, cache });
  const workspaces = createWorkspaceService({ db, clock: systemClock, access, cache });
  const id = randomBytes(4).toString("hex");
  const sub = `sub-${id}`;
  const other = `oth-${id}`;
  const email = `sam.${id}@example.com`;
  const auth = fakeAuth([{ uid: sub, email, displayName: "Sam", createdAt: null, lastSignInAt: null, providers: ["password"] }]);
  const compliance = createCompliance({ db, clock: systemClock, access, bucket: () => bucket, redis, cache, publisher: { publish: async () => "m" }, signUrls: true, auth: () => auth });

  const now = Timestamp.now();
  await db.doc(`users/${sub}`).set({ plan: "pro", displayName: "Sam", email, createdAt: now });
  await compliance.consents.set(sub, "execution-history", true, CURRENT_POLICY_VERSION, "user");
  await compliance.consents.set(sub, "product-emails", false, CURRENT_POLICY_VERSION, "user");
  const own = await workspaces.create(sub, { name: "Sam's notes" });
  const shared = await workspaces.create(other, { name: "Team" });
  const handed = await workspaces.create(sub, { name: "Handed over" });
  await workspaces.setMember({ kind: "user", uid: other }, { workspaceId: shared.id, uid: sub, role: "editor" });
  await workspaces.setMember({ kind: "user", uid: sub }, { workspaceId: handed.id, uid: other, role: "admin" });
  const w = (workspaceId: string) => `workspaces/${workspaceId}`;
  await db.doc(`${w(own.id)}/prompts/p1`).set({ name: "Mine", createdBy: sub, createdAt: now, updatedAt: now });
  await db.doc(`${w(own.id)}/documents/d1`).set({ title: "Notes", createdBy: sub, storagePath: `${w(own.id)}/documents/d1/notes.md`, createdAt: now, updatedAt: now });
  await bucket.file(`${w(own.id)}/documents/d1/notes.md`).save(`# Notes\nWrite to ${email}.`, { resumable: false });
  await db.doc(`${w(shared.id)}/prompts/p2`).set({ name: "Greeter", description: `Ask ${email}`, createdBy: sub, createdAt: now, updatedAt: now });
  await db.doc(`${w(shared.id)}/prompts/p2/versions/00000001`).set({ version: 1, template: `Hi, from ${email}`, createdBy: sub, createdAt: now });
  await db.doc(`${w(shared.id)}/prompts/p2/labelEvents/00000001`).set({ seq: 1, label: "production", action: "set", fromVersion: null, toVersion: 1, actorUid: sub, actor: `user:${sub}`, at: now });
  await db.doc(executionPath(shared.id, "e-sub")).set(storedExecution(shared.id, sub, Date.now(), `my email is ${email}`));
  await db.doc(executionPath(shared.id, "e-other")).set(storedExecution(shared.id, other, Date.now(), "someone else"));
  await db.doc(`apiKeys/k-${id}`).set({ workspaceId: own.id, name: "cli", createdBy: sub, createdAt: now });
  await db.doc(`webhookEndpoints/we-${id}`).set({ workspaceId: shared.id, url: "https://hooks.example.com/in", createdBy: sub, createdAt: now, updatedAt: now });
  await db.doc(`webhookDeliveries/wd-${id}`).set({ workspaceId: shared.id, payload: JSON.stringify({ type: "member.added", data: { uid: sub } }), createdAt: now, updatedAt: now });
  // Redis: roles cached by access control, the workspace cached with its owner, rate-limit state of the person.
  await access.require({ kind: "user", uid: sub }, shared.id, "prompts:read");
  await access.require({ kind: "user", uid: sub }, handed.id, "prompts:read");
  await workspaces.get({ kind: "user", uid: sub }, handed.id);
  await redis.set(rateLimitKeys.violations(`user:${sub}`), 2);
  await redis.hset(rateLimitKeys.meta("read", `user:${sub}`), { hits: 3 });
  const scan = (skip: string[] = []) => scanFor({ db, buckets: [bucket], redis, needles: [sub, email], skipCollections: new Set(skip) });
  return { db, bucket, redis, compliance, auth, sub, other, email, own, shared, handed, scan };
}

const idsOf = (lines: Array<Record<string, unknown>>) =>
  lines.flatMap((l) => (l.type === "firestore" ? [`firestore:${String(l.path)}`] : l.type === "storage" ? [`storage:${String(l.bucket)}/${String(l.name)}`] : l.type === "redis" ? [`redis:${String(l.key)}`] : []));

async function requestDone(compliance: ReturnType<typeof createCompliance>, kind: "export" | "erasure", uid: string) {
  const queued = await compliance.requests.submit(kind, uid, "user");
  expect(queued).toMatchObject({ status: "queued", kind });
  expect(await compliance.requests.process(queued.id)).toBe("completed");
  return compliance.requests.get(uid, queued.id);
}

describe("data subject requests", () => {
  jest.setTimeout(120_000);

  it("exports everything the scanner finds, then erasure leaves no trace of the person anywhere, with a receipt and a ledger entry", async () => {
    const t = await world();
    const before = await t.scan();
    expect(before.length).toBeGreaterThan(15);
    expect(before).toEqual(expect.arrayContaining([`firestore:users/${t.sub}`, `storage:${t.bucket.name}/workspaces/${t.own.id}/documents/d1/notes.md`, expect.stringMatching(/^redis:rl:/), expect.stringMatching(/^redis:cache:/)]));

    const exported = await requestDone(t.compliance, "export", t.sub);
    expect(exported.downloadUrl).toMatch(/X-Goog-Signature=/);
    const response = await fetch(exported.downloadUrl!);
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.type === "auth")).toMatchObject({ account: { uid: t.sub, email: t.email } });
    const exportedIds = new Set(idsOf(lines));
    expect(before.filter((id) => !exportedIds.has(id))).toEqual([]);
    expect(exported.receipt).toMatchObject({ done: { exported: lines.length - 1 }, archive: { lines: lines.length } });

    const erased = await requestDone(t.compliance, "erasure", t.sub);
    expect(erased.receipt?.done).toMatchObject({ authAccountDeleted: true, workspacesDeleted: [t.own.id], workspacesTransferred: [t.handed.id] });
    expect(erased.receipt!.done.deleted).toBeGreaterThan(5);
    expect(erased.receipt!.done.anonymised).toBeGreaterThan(3);
    expect(erased.receipt!.done.redisKeysDeleted).toBeGreaterThan(2);
    // Kept after the data is gone: the receipts and the ledger (ids and counts only); tombstones
    // (the deleted documents' paths, for the backups, expiring after 35 days).
    const retained = ["dataRequests", "erasureLedger", "tombstones"];
    expect(await t.scan(retained)).toEqual([]);
    const kept = [...(await t.db.collection("dataRequests").get()).docs, ...(await t.db.collection("erasureLedger").get()).docs].map((d) => JSON.stringify(d.data()));
    expect(kept.filter((text) => text.includes(t.email))).toEqual([]);
    expect((await t.db.collection("erasureLedger").doc(t.sub).get()).data()).toMatchObject({ subjectUid: t.sub, requestId: erased.id });
    expect(t.auth.deleted).toEqual([t.sub]);

    // What belongs to others stays: their run, their workspace, the workspace handed to its admin.
    expect((await t.db.doc(executionPath(t.shared.id, "e-other")).get()).exists).toBe(true);
    expect((await t.db.doc(`workspaces/${t.shared.id}/prompts/p2/versions/00000001`).get()).data()).toMatchObject({ template: "Hi, from erased-user", createdBy: "erased-user" });
    expect((await t.db.doc(`workspaces/${t.handed.id}`).get()).data()).toMatchObject({ ownerUid: t.other });
    expect((await t.db.doc(`workspaces/${t.handed.id}/members/${t.other}`).get()).data()).toMatchObject({ role: "owner" });
    expect((await t.db.doc(`workspaces/${t.own.id}`).get()).exists).toBe(false);
  });

  it("answers bad and foreign requests with clear errors", async () => {
    const t = await world();
    const user = { kind: "user" as const, uid: t.sub };
    const deps = { compliance: t.compliance } as never;
    await expect(invokeOperation(complianceOperations.requestErasure, deps, user, {})).rejects.toMatchObject({ code: "invalid-argument", message: expect.stringContaining("confirm") });
    await expect(invokeOperation(complianceOperations.setConsent, deps, user, { purpose: "telepathy", granted: true, policyVersion: "2026-01" })).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(invokeOperation(complianceOperations.setConsent, deps, user, { purpose: "product-emails", granted: true, policyVersion: "2019-01" })).rejects.toMatchObject({ code: "failed-precondition" });
    const mine = await invokeOperation(complianceOperations.requestDataExport, deps, user, {});
    await expect(invokeOperation(complianceOperations.getDataRequest, deps, { kind: "user", uid: t.other }, { requestId: mine.id })).rejects.toMatchObject({ code: "not-found" });
    await expect(invokeOperation(complianceOperations.requestDataExport, deps, { kind: "apiKey", keyId: "k", workspaceId: t.own.id, scopes: [], createdBy: t.sub }, {})).rejects.toMatchObject({ code: "permission-denied" });
    const consents = await invokeOperation(complianceOperations.getConsents, deps, user, {});
    expect(consents.items.find((c) => c.purpose === "execution-history")).toMatchObject({ granted: true, policyVersion: CURRENT_POLICY_VERSION });
    expect(consents.history).toHaveLength(2);
  });

  it("queues one erasure per deleted Auth account, however often the trigger fires, and the sweeper finishes it", async () => {
    const t = await world();
    const first = await t.compliance.onAuthUserDeleted(t.sub);
    const again = await t.compliance.onAuthUserDeleted(t.sub);
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({ kind: "erasure", source: "auth-deletion", status: "queued" });
    // No trigger ran (a redeploy lost it): the sweeper takes the queued request.
    expect(await t.compliance.requests.sweep()).toBeGreaterThanOrEqual(1);
    expect((await t.db.collection("dataRequests").doc(first.id).get()).get("status")).toBe("completed");
    expect((await t.db.doc(`users/${t.sub}`).get()).exists).toBe(false);
  });

  it("deletes a workspace after its grace period only, and the owner alone may schedule or restore it", async () => {
    const t = await world();
    const owner = { kind: "user" as const, uid: t.sub };
    await expect(t.compliance.deleteWorkspace({ kind: "user", uid: t.sub }, t.shared.id)).rejects.toMatchObject({ code: "permission-denied" });
    const pending = await t.compliance.deleteWorkspace(owner, t.own.id);
    expect(pending).toMatchObject({ status: "pending", restoredAt: null });
    expect(await t.compliance.restoreWorkspace(owner, t.own.id)).toMatchObject({ status: "restored" });
    await expect(t.compliance.restoreWorkspace(owner, t.own.id)).rejects.toMatchObject({ code: "not-found" });
    await t.compliance.deleteWorkspace(owner, t.own.id);
    // Within the grace period the purge pass leaves it; after it, the whole workspace goes.
    const pass = async (at: number) => {
      const source = t.compliance.workspaces.duePass(at);
      const docs = await source.page(null, 10);
      const batch = t.db.batch();
      for (const doc of docs) await source.apply(batch, doc);
      await batch.commit();
      return docs.length;
    };
    expect(await pass(Date.now())).toBe(0);
    expect(await pass(Date.now() + 31 * 86_400_000)).toBe(1);
    expect((await t.db.doc(`workspaces/${t.own.id}`).get()).exists).toBe(false);
    expect((await t.db.doc(`workspaces/${t.own.id}/prompts/p1`).get()).exists).toBe(false);
    expect((await t.db.doc(`apiKeys/k-${t.sub.slice(4)}`).get()).exists).toBe(false);
    expect((await t.bucket.file(`workspaces/${t.own.id}/documents/d1/notes.md`).exists())[0]).toBe(false);
    expect((await t.db.collection("workspaceDeletions").doc(t.own.id).get()).data()).toMatchObject({ status: "purged", documentsDeleted: expect.any(Number), objectsDeleted: 1 });
  });

  it("refuses a restore once the grace period is over, and a restore by anyone but the owner", async () => {
    const t = await world();
    const owner = { kind: "user" as const, uid: t.sub };
    await t.compliance.deleteWorkspace(owner, t.handed.id);
    await expect(t.compliance.restoreWorkspace({ kind: "user", uid: t.other }, t.handed.id)).rejects.toMatchObject({ code: "permission-denied" });
    await t.db.collection("workspaceDeletions").doc(t.handed.id).update({ purgeAfter: Timestamp.fromMillis(Date.now() - 1000) });
    await expect(t.compliance.restoreWorkspace(owner, t.handed.id)).rejects.toMatchObject({ code: "failed-precondition", message: expect.stringContaining("grace period") });
  });
});
