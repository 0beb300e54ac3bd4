import { FieldPath, Timestamp, type Firestore } from "firebase-admin/firestore";
import { appendEvent } from "../events/outbox";
import { identityCacheKeys } from "../identity/identity-cache-keys";
import { workspaceCacheKeys } from "./workspace-cache-keys";
import type { AccessControl } from "../identity/access-control";
import type { Role } from "../identity/permissions";
import { actorUid, type PlanTier, type Principal } from "../identity/principal";
import type { ReadThroughCache } from "../lib/cache";
import type { Clock } from "../lib/clock";
import { FailedPreconditionError, NotFoundError, PermissionDeniedError } from "../lib/errors";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { readRecord, requireRecord } from "../lib/firestore-records";
import { decodeCursor, encodeCursor, type Page } from "../lib/pagination";
import { MEMBERS, memberPath, membersPath, storedMemberSchema, storedWorkspaceSchema, WORKSPACES, workspacePath, type StoredWorkspace } from "./workspace-records";
import type { AddMemberInput, CreateWorkspaceInput } from "./workspace-schemas";
import { deleteWithTombstone } from "../backups/tombstones";

export const WORKSPACE_QUERIES = {
  /** A user's memberships across workspaces: the collection-group query behind listWorkspaces. */
  membershipsOfUser: queryShape({ name: "workspaces.listForUser", collectionGroup: MEMBERS, scope: "COLLECTION_GROUP", equality: ["uid"], orderBy: [["workspaceId", "asc"]] }),
  members: queryShape({ name: "workspaces.listMembers", collectionGroup: MEMBERS, orderBy: [["__name__", "asc"]] }),
  countMembers: queryShape({ name: "workspaces.countMembers", collectionGroup: MEMBERS }),
};

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
  access: Pick<AccessControl, "require" | "requireKeyCreator">;
  /** Workspaces are read through it; membership writes invalidate the roles access control caches. */
  cache: ReadThroughCache;
};

/** Members one workspace may have. @default 500 */
export const MAX_MEMBERS = 500;

const toWorkspace = (id: string, data: StoredWorkspace): Workspace => ({
  id,
  name: data.name,
  description: data.description,
  plan: data.plan,
  ownerUid: data.ownerUid,
  createdAt: data.createdAt.toDate().toISOString(),
});

/** The workspace as `workspaceCacheKeys.workspace` holds it, or null when there is none. */
export async function readWorkspace(db: Pick<Firestore, "doc">, workspaceId: string): Promise<Workspace | null> {
  const snap = await db.doc(workspacePath(workspaceId)).get();
  const stored = readRecord(snap, storedWorkspaceSchema, { kind: "workspace" });
  return stored ? toWorkspace(snap.id, stored) : null;
}

export function createWorkspaceService({ db, clock, access, cache }: WorkspaceServiceDeps) {
  // Written by console or billing only (the trigger on `workspaces/{id}` invalidates it).
  const cachedWorkspace = (workspaceId: string) => cache.getOrLoad(workspaceCacheKeys.workspace(workspaceId), () => readWorkspace(db, workspaceId), "user");
  const forgetMember = (workspaceId: string, uid: string) => cache.invalidate({ keys: [identityCacheKeys.member(workspaceId, uid)] });

  return {
    /** Creates a workspace owned by `uid`; the workspace and its owner membership land together. */
    async create(uid: string, input: CreateWorkspaceInput): Promise<Workspace> {
      const ref = db.collection(WORKSPACES).doc();
      const now = Timestamp.fromMillis(clock.now());
      const workspace: StoredWorkspace = { name: input.name, description: input.description ?? "", plan: "free", ownerUid: uid, createdAt: now, updatedAt: now };
      const batch = db.batch();
      batch.create(ref, workspace);
      batch.create(ref.collection(MEMBERS).doc(uid), { uid, workspaceId: ref.id, role: "owner", addedAt: now, updatedAt: now });
      await batch.commit();
      return toWorkspace(ref.id, workspace);
    },

    async get(principal: Principal, workspaceId: string): Promise<Workspace> {
      await access.require(principal, workspaceId, "workspace:read");
      const workspace = await cachedWorkspace(workspaceId);
      if (!workspace) throw new NotFoundError("Workspace not found.");
      return { ...workspace };
    },

    /** An API key's own workspace with the key's scopes; any valid key whose creator may still read the workspace may see it. */
    async describeForKey(principal: Principal): Promise<{ workspace: Workspace; scopes: string[] }> {
      if (principal.kind !== "apiKey") throw new PermissionDeniedError("Only API keys have a workspace of their own.");
      await access.requireKeyCreator(principal, "workspace:read");
      const workspace = await cachedWorkspace(principal.workspaceId);
      if (!workspace) throw new NotFoundError("Workspace not found.");
      return { workspace: { ...workspace }, scopes: [...principal.scopes] };
    },

    /** The caller's workspaces with their role, oldest membership first, a page at a time. */
    async listForUser(uid: string, pageSize = 50, cursor?: string): Promise<Page<Workspace & { role: Role }>> {
      let query = db.collectionGroup(MEMBERS).where("uid", "==", uid).orderBy("workspaceId").limit(pageSize);
      const after = cursor ? decodeCursor(cursor, 1) : undefined;
      if (after) query = query.startAfter(...after);
      const memberships = await runQuery(WORKSPACE_QUERIES.membershipsOfUser, query);
      const members = memberships.docs.map((doc) => requireRecord(doc, storedMemberSchema, { kind: "workspace member" }));
      const workspaces = members.length ? await db.getAll(...members.map((member) => db.doc(workspacePath(member.workspaceId)))) : [];
      const items = workspaces.flatMap((snap, i) => {
        const stored = readRecord(snap, storedWorkspaceSchema, { kind: "workspace" });
        const role = members[i]?.role;
        return stored && role ? [{ ...toWorkspace(snap.id, stored), role }] : [];
      });
      const last = members[members.length - 1];
      return { items, nextCursor: memberships.size === pageSize && last ? encodeCursor([last.workspaceId]) : null };
    },

    async listMembers(principal: Principal, workspaceId: string): Promise<Membership[]> {
      await access.require(principal, workspaceId, "workspace:read");
      const snap = await runQuery(WORKSPACE_QUERIES.members, db.collection(membersPath(workspaceId)).orderBy(FieldPath.documentId()).limit(MAX_MEMBERS));
      return snap.docs.map((doc) => {
        const member = requireRecord(doc, storedMemberSchema, { kind: "workspace member" });
        return { workspaceId, uid: doc.id, role: member.role, addedAt: member.addedAt.toDate().toISOString() };
      });
    },

    /** Adds or re-roles a member. Nobody can change the owner's membership this way. */
    async setMember(principal: Principal, input: AddMemberInput): Promise<Membership> {
      await access.require(principal, input.workspaceId, "members:manage");
      const ref = db.doc(memberPath(input.workspaceId, input.uid));
      const now = Timestamp.fromMillis(clock.now());
      await db.runTransaction(async (tx) => {
        const [existing, count] = await Promise.all([tx.get(ref), runQuery(WORKSPACE_QUERIES.countMembers, { get: () => tx.get(db.collection(membersPath(input.workspaceId)).count()) })]);
        if (existing.get("role") === "owner") throw new PermissionDeniedError("The owner's role cannot be changed.");
        if (!existing.exists && count.data().count >= MAX_MEMBERS) throw new FailedPreconditionError(`A workspace may have at most ${MAX_MEMBERS} members.`);
        tx.set(ref, { uid: input.uid, workspaceId: input.workspaceId, role: input.role, addedAt: existing.exists ? existing.get("addedAt") : now, updatedAt: now });
        if (!existing.exists) {
          const data = { uid: input.uid, role: input.role, addedBy: actorUid(principal) };
          appendEvent(db, tx, { type: "member.added", workspaceId: input.workspaceId, subject: `members/${input.uid}`, occurredAt: now.toMillis(), data });
        }
      });
      await forgetMember(input.workspaceId, input.uid);
      return { workspaceId: input.workspaceId, uid: input.uid, role: input.role, addedAt: now.toDate().toISOString() };
    },

    async removeMember(principal: Principal, workspaceId: string, uid: string): Promise<void> {
      await access.require(principal, workspaceId, "members:manage");
      const ref = db.doc(memberPath(workspaceId, uid));
      await db.runTransaction(async (tx) => {
        const existing = await tx.get(ref);
        if (!existing.exists) throw new NotFoundError("Member not found.");
        if (existing.get("role") === "owner") throw new PermissionDeniedError("The owner cannot be removed.");
        deleteWithTombstone(tx, ref, clock);
        const data = { uid, removedBy: actorUid(principal) };
        appendEvent(db, tx, { type: "member.removed", workspaceId, subject: `members/${uid}`, occurredAt: clock.now(), data });
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
