import type { Firestore } from "firebase-admin/firestore";
import { Timestamp } from "firebase-admin/firestore";
import type { Clock } from "../lib/clock";
import type { CreateWorkspaceInput } from "./workspace-schemas";

export type WorkspaceRole = "owner" | "admin" | "editor" | "viewer";
export type PlanTier = "free" | "pro" | "enterprise";

export type Workspace = {
  id: string;
  name: string;
  description: string;
  plan: PlanTier;
  ownerUid: string;
  createdAt: string;
};

export type WorkspaceServiceDeps = {
  db: Pick<Firestore, "collection" | "batch">;
  clock: Clock;
};

export const WORKSPACES = "workspaces";
export const MEMBERS = "members";

export function createWorkspaceService({ db, clock }: WorkspaceServiceDeps) {
  return {
    /** Creates a workspace owned by `uid`; the workspace and its owner membership land together. */
    async create(uid: string, input: CreateWorkspaceInput): Promise<Workspace> {
      const ref = db.collection(WORKSPACES).doc();
      const now = Timestamp.fromMillis(clock.now());
      const workspace = {
        name: input.name,
        description: input.description ?? "",
        plan: "free" as PlanTier,
        ownerUid: uid,
        createdAt: now,
        updatedAt: now,
      };
      const batch = db.batch();
      batch.create(ref, workspace);
      batch.create(ref.collection(MEMBERS).doc(uid), { uid, workspaceId: ref.id, role: "owner", addedAt: now });
      await batch.commit();
      return { id: ref.id, ...workspace, createdAt: now.toDate().toISOString() };
    },
  };
}

export type WorkspaceService = ReturnType<typeof createWorkspaceService>;
