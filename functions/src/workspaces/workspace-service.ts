import { FieldPath, Timestamp, type Firestore } from "firebase-admin/firestore";
import { cacheKeys } from "../app/cache-keys";
import type { AccessControl } from "../identity/access-control";
import type { Role } from "../identity/permissions";
import type { PlanTier, Principal } from "../identity/principal";
import type { ReadThroughCache } from "../lib/cache";
import type { Clock } from "../lib/clock";
import { FailedPreconditionError, NotFoundError, PermissionDeniedError } from "../lib/errors";
import { decodeCursor, encodeCursor, type Page } from "../lib/pagination";
import type { AddMemberInput, CreateWorkspaceInput } from "./workspace-schemas";

export type { PlanTier };

export type Workspace = {
  id: string;
  name: string;
  description: string;
  plan: PlanTier;
  ownerUid: string;
  createdAt: string;
};

export type Membership = { workspaceId: string; uid: string; role: Role; addedAt: string };

export type WorkspaceServiceDeps = {
  db: Pick<Firestore, "collection" | "collectionGroup" | "doc" | "batch" | "runTransaction" | "getAll">;
  clock: Clock;
  access: Pick<AccessControl, "require">;
  /** Workspaces are read through it; membership writes invalidate the roles access control caches. */
  cache: ReadThroughCache;
};

export const WORKSPACES = "workspaces";
export const MEMBERS = "members";
/** Members one workspace may have. @default 500 */
export const MAX_MEMBERS = 500;

type StoredWorkspace = { name: string; description: string; plan: PlanTier; ownerUid: string; createdAt: Timestamp; updatedAt: Timestamp };

const toWorkspace = (id: string, data: StoredWorkspace): Workspace => ({
  id,
  name: data.name,
  description: data.description,
  plan: data.plan,
  ownerUid: data.ownerUid,
  createdAt: data.createdAt.toDate().toISOString(),
});

/** The workspace as `cacheKeys.workspace` holds it, or null when there is none. */
export async function readWorkspace(db: Pick<Firestore, "doc">, workspaceId: string): Promise<Workspace | null> {
  const snap = await db.doc(`${WORKSPACES}/${workspaceId}`).get();
  return snap.exists ? toWorkspace(snap.id, snap.data() as StoredWorkspace) : null;
}

export function createWorkspaceService({ db, clock, access, cache }: WorkspaceServiceDeps) {
  // Written by console or billing only (the trigger on `workspaces/{id}` invalidates it).
  const cachedWorkspace = (workspaceId: string) => cache.getOrLoad(cacheKeys.workspace(workspaceId), () => readWorkspace(db, workspaceId), "user");
  const forgetMember = (workspaceId: string, uid: string) => cache.invalidate({ keys: [cacheKeys.member(workspaceId, uid)] });

  return {
    /** Creates a workspace owned by `uid`; the workspace and its owner membership land together. */
    async create(uid: string, input: CreateWorkspaceInput): Promise<Workspace> {
      const ref = db.collection(WORKSPACES).doc();
      const now = Timestamp.fromMillis(clock.now());
      const workspace: StoredWorkspace = { name: input.name, description: input.description ?? "", plan: "free", ownerUid: uid, createdAt: now, updatedAt: now };
      const batch = db.batch();
      batch.create(ref, workspace);
      batch.create(ref.collection(MEMBERS).doc(uid), { uid, workspaceId: ref.id, role: "owner", addedAt: now });
      await batch.commit();
      return toWorkspace(ref.id, workspace);
    },

    async get(principal: Principal, workspaceId: string): Promise<Workspace> {
      await access.require(principal, workspaceId, "workspace:read");
      const workspace = await cachedWorkspace(workspaceId);
      if (!workspace) throw new NotFoundError("Workspace not found.");
      return { ...workspace };
    },

    /** The caller's workspaces with their role, oldest membership first, a page at a time. */
    async listForUser(uid: string, pageSize = 50, cursor?: string): Promise<Page<Workspace & { role: Role }>> {
      let query = db.collectionGroup(MEMBERS).where("uid", "==", uid).orderBy("workspaceId").limit(pageSize);
      const after = cursor ? decodeCursor(cursor, 1) : undefined;
      if (after) query = query.startAfter(...after);
      const memberships = await query.get();
      const refs = memberships.docs.map((doc) => db.doc(`${WORKSPACES}/${doc.get("workspaceId")}`));
      const workspaces = refs.length ? await db.getAll(...refs) : [];
      const items = workspaces
        .map((snap, i) => (snap.exists ? { ...toWorkspace(snap.id, snap.data() as StoredWorkspace), role: memberships.docs[i]?.get("role") as Role } : null))
        .filter((item): item is Workspace & { role: Role } => item !== null);
      const last = memberships.docs[memberships.docs.length - 1];
      return { items, nextCursor: memberships.size === pageSize && last ? encodeCursor([last.get("workspaceId")]) : null };
    },

    async listMembers(principal: Principal, workspaceId: string): Promise<Membership[]> {
      await access.require(principal, workspaceId, "workspace:read");
      const snap = await db.collection(`${WORKSPACES}/${workspaceId}/${MEMBERS}`).orderBy(FieldPath.documentId()).limit(MAX_MEMBERS).get();
      return snap.docs.map((doc) => ({ workspaceId, uid: doc.id, role: doc.get("role") as Role, addedAt: (doc.get("addedAt") as Timestamp).toDate().toISOString() }));
    },

    /** Adds or re-roles a member. Nobody can change the owner's membership this way. */
    async setMember(principal: Principal, input: AddMemberInput): Promise<Membership> {
      await access.require(principal, input.workspaceId, "members:manage");
      const ref = db.doc(`${WORKSPACES}/${input.workspaceId}/${MEMBERS}/${input.uid}`);
      const now = Timestamp.fromMillis(clock.now());
      await db.runTransaction(async (tx) => {
        const [existing, count] = await Promise.all([tx.get(ref), tx.get(db.collection(`${WORKSPACES}/${input.workspaceId}/${MEMBERS}`).count())]);
        if (existing.get("role") === "owner") throw new PermissionDeniedError("The owner's role cannot be changed.");
        if (!existing.exists && count.data().count >= MAX_MEMBERS) throw new FailedPreconditionError(`A workspace may have at most ${MAX_MEMBERS} members.`);
        tx.set(ref, { uid: input.uid, workspaceId: input.workspaceId, role: input.role, addedAt: existing.exists ? existing.get("addedAt") : now });
      });
      await forgetMember(input.workspaceId, input.uid);
      return { workspaceId: input.workspaceId, uid: input.uid, role: input.role, addedAt: now.toDate().toISOString() };
    },

    async removeMember(principal: Principal, workspaceId: string, uid: string): Promise<void> {
      await access.require(principal, workspaceId, "members:manage");
      const ref = db.doc(`${WORKSPACES}/${workspaceId}/${MEMBERS}/${uid}`);
      await db.runTransaction(async (tx) => {
        const existing = await tx.get(ref);
        if (!existing.exists) throw new NotFoundError("Member not found.");
        if (existing.get("role") === "owner") throw new PermissionDeniedError("The owner cannot be removed.");
        tx.delete(ref);
      });
      await forgetMember(workspaceId, uid);
    },

    /** Plan tier of a workspace, read by the rate limiter and cost policies. */
    async planOf(workspaceId: string): Promise<PlanTier> {
      const plan = (await cachedWorkspace(workspaceId))?.plan;
      return plan === "pro" || plan === "enterprise" ? plan : "free";
    },
  };
}

export type WorkspaceService = ReturnType<typeof createWorkspaceService>;
