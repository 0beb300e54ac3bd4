import { randomUUID } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";
import { firestore } from "../../src/app/clients";
import { createAccessControl } from "../../src/identity/access-control";
import type { Principal } from "../../src/identity/principal";
import { passThroughCache, type ReadThroughCache } from "../../src/lib/cache";
import { systemClock } from "../../src/lib/clock";
import { createWorkspaceService } from "../../src/workspaces/workspace-service";

/** The real Firestore server of the local stack (refuses to run against anything else). */
export function testDb() {
  if (!process.env.FIRESTORE_EMULATOR_HOST) {
    throw new Error("FIRESTORE_EMULATOR_HOST is not set: run the tests with `npm test`, which starts the local stack.");
  }
  return firestore();
}

export function userPrincipal(uid: string): Principal {
  return { kind: "user", uid };
}

export function uniqueUid(prefix = "u"): string {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}

/**
 * A fresh workspace owned by a fresh user, for tests that need one of their own. Services built
 * on it share `cache` (by default one that caches nothing); `db` is the local server's default
 * database unless another is given.
 */
export async function freshWorkspace(prefix = "ws", cache: ReadThroughCache = passThroughCache, db: Firestore = testDb()) {
  const access = createAccessControl({ db, cache });
  const workspaces = createWorkspaceService({ db, clock: systemClock, access, cache });
  const ownerUid = uniqueUid(`${prefix}-owner`);
  const workspace = await workspaces.create(ownerUid, { name: `${prefix} ${ownerUid}` });
  const addMember = (uid: string, role: "viewer" | "editor" | "admin") => workspaces.setMember(userPrincipal(ownerUid), { workspaceId: workspace.id, uid, role });
  return { db, cache, access, workspaces, workspace, workspaceId: workspace.id, ownerUid, owner: userPrincipal(ownerUid), addMember };
}
