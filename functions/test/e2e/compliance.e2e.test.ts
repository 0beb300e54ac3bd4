import { stackEnv } from "../helpers/emulators";
import { eventually } from "../helpers/events";
import { testDb } from "../helpers/firestore";
import { call, callCallable, enterpriseUser } from "./matrix/fixtures";

/**
 * Data subject requests through the emulators: consent over the callables, an export queued by
 * `requestDataExport` and run by the `processDataRequest` Firestore trigger (delivered by the
 * event relay), its archive downloaded from the signed URL; then the Auth account deleted in the
 * Auth emulator, whose 1st-gen `onAuthUserDeleted` trigger queues the erasure that runs to its receipt.
 */
jest.setTimeout(180_000);

type Request = { id: string; status: string; downloadUrl: string | null; receipt: { done: Record<string, unknown> } | null };

test("export by request, then erasure when the Auth account is deleted", async () => {
  const user = await enterpriseUser("compliance-e2e");
  expect(await call("setConsent", { purpose: "execution-history", granted: true, policyVersion: "2026-01" }, user)).toMatchObject({ granted: true });
  const stale = await callCallable("setConsent", { purpose: "execution-history", granted: true, policyVersion: "2001-01" }, user.idToken);
  expect({ status: stale.status, code: stale.body.error?.status }).toEqual({ status: 400, code: "FAILED_PRECONDITION" });
  const workspace = await call<{ id: string }>("createWorkspace", { name: "Mine alone" }, user);

  const queued = await call<Request>("requestDataExport", {}, user);
  const done = await eventually("the export to complete", async () => {
    const r = await call<Request>("getDataRequest", { requestId: queued.id }, user);
    return r.status === "completed" ? r : undefined;
  }, 90_000);
  const archive = await (await fetch(done.downloadUrl!)).text();
  expect(archive).toContain(`"path":"workspaces/${workspace.id}"`);
  expect(archive).toContain(user.email);

  const { authHost } = stackEnv();
  const deleted = await fetch(`http://${authHost}/identitytoolkit.googleapis.com/v1/accounts:delete?key=fake-api-key`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ idToken: user.idToken }),
  });
  expect(deleted.status).toBe(200);
  const receipt = await eventually("the erasure queued by the Auth trigger to complete", async () => {
    const snap = await testDb().collection("dataRequests").doc(`erasure-auth-${user.uid}`).get();
    return snap.get("status") === "completed" ? snap.data() : undefined;
  }, 120_000);
  expect(receipt).toMatchObject({ kind: "erasure", source: "auth-deletion", receipt: { done: { workspacesDeleted: [workspace.id] } } });
  expect((await testDb().doc(`workspaces/${workspace.id}`).get()).exists).toBe(false);
  expect((await testDb().doc(`users/${user.uid}`).get()).exists).toBe(false);
  expect((await testDb().collection("erasureLedger").doc(user.uid).get()).exists).toBe(true);
});
