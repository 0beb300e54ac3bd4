import { FieldPath, Timestamp, type DocumentReference, type Firestore, type WriteBatch } from "firebase-admin/firestore";
import { z } from "zod";
import { API_KEYS } from "../api-keys/api-key-records";
import { deleteWithTombstone } from "../backups/tombstones";
import { EVENTS } from "../events/event-records";
import type { AccessControl } from "../identity/access-control";
import { roleRank, ROLES } from "../identity/permissions";
import type { Principal } from "../identity/principal";
import { deleteTree, documentsWhere, expiredDocuments, type PassSource, type SubjectRecordSpec } from "../lib/bounded-pass";
import type { Clock } from "../lib/clock";
import { FailedPreconditionError, NotFoundError } from "../lib/errors";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { readRecord, timestampField } from "../lib/firestore-records";
import { WEBHOOK_DELIVERIES, WEBHOOK_ENDPOINTS, WEBHOOK_RECOVERIES } from "../webhooks/webhook-records";
import { MEMBERS, membersPath, storedMemberSchema, workspacePath } from "./workspace-records";

/**
 * Workspace deletion, owned by the workspace domain: the owner schedules it, a grace period
 * follows during which the owner may restore it, then the compliance purge deletes the whole
 * workspace (its subtree, its top-level records, its files) in bounded batches with tombstones.
 * The marker `workspaceDeletions/{workspaceId}` outlives the workspace as its record.
 */
export const WORKSPACE_DELETIONS = "workspaceDeletions";

/** Days between `deleteWorkspace` and the purge. @default 30 */
export const WORKSPACE_GRACE_DAYS = 30;

export const storedWorkspaceDeletionSchema = z.object({
  workspaceId: z.string(),
  status: z.enum(["pending", "restored", "purged"]),
  requestedBy: z.string(),
  requestedAt: timestampField,
  purgeAfter: timestampField,
  restoredAt: timestampField.nullable(),
  purgedAt: timestampField.nullable(),
  documentsDeleted: z.number().int().nonnegative(),
  objectsDeleted: z.number().int().nonnegative(),
  updatedAt: timestampField,
});
export type StoredWorkspaceDeletion = z.infer<typeof storedWorkspaceDeletionSchema>;

export const WORKSPACE_DELETION_QUERIES = {
  due: queryShape({ name: "workspaces.deletionsDue", collectionGroup: WORKSPACE_DELETIONS, equality: ["status"], range: "purgeAfter", orderBy: [["purgeAfter", "asc"], ["__name__", "asc"]] }),
  membershipsOf: queryShape({ name: "workspaces.membershipsOf", collectionGroup: MEMBERS, scope: "COLLECTION_GROUP", equality: ["uid"], orderBy: [["__name__", "asc"]] }),
  membersOf: queryShape({ name: "workspaces.membersOf", collectionGroup: MEMBERS, orderBy: [["__name__", "asc"]] }),
  byWorkspace: (collection: string) => queryShape({ name: `workspaces.purge.${collection}`, collectionGroup: collection, equality: ["workspaceId"], orderBy: [["__name__", "asc"]] }),
};

/** Top-level collections whose documents name their workspace in `workspaceId`. */
const TOP_LEVEL = [API_KEYS, WEBHOOK_ENDPOINTS, WEBHOOK_DELIVERIES, WEBHOOK_RECOVERIES, EVENTS];

export type DeletionView = { workspaceId: string; status: StoredWorkspaceDeletion["status"]; requestedAt: string; purgeAfter: string; restoredAt: string | null; purgedAt: string | null };

const toView = (d: StoredWorkspaceDeletion): DeletionView => ({
  workspaceId: d.workspaceId,
  status: d.status,
  requestedAt: d.requestedAt.toDate().toISOString(),
  purgeAfter: d.purgeAfter.toDate().toISOString(),
  restoredAt: d.restoredAt?.toDate().toISOString() ?? null,
  purgedAt: d.purgedAt?.toDate().toISOString() ?? null,
});

/** What deleting files uses of a bucket. */
export type PrefixBucket = { deleteFiles(options: { prefix: string; force: boolean }): Promise<unknown>; getFiles(options: { prefix: string; autoPaginate: boolean; maxResults: number }): Promise<[Array<{ name: string }>, ...unknown[]]> };

export type WorkspaceDeletionDeps = {
  db: Firestore;
  clock: Clock;
  access: Pick<AccessControl, "require">;
  bucket: () => PrefixBucket;
  graceDays?: number;
};

export function createWorkspaceDeletion({ db, clock, access, bucket, graceDays = WORKSPACE_GRACE_DAYS }: WorkspaceDeletionDeps) {
  const onDelete = (batch: WriteBatch, ref: DocumentReference) => {
    deleteWithTombstone(batch, ref, clock);
  };
  const marker = (workspaceId: string) => db.collection(WORKSPACE_DELETIONS).doc(workspaceId);

  /** Every document and file of the workspace, now (the purge after the grace period, or an erasure). */
  async function deleteNow(workspaceId: string): Promise<{ documents: number; objects: number }> {
    const ref = db.doc(workspacePath(workspaceId));
    let documents = await deleteTree(db, ref, onDelete);
    for (const collection of TOP_LEVEL) {
      const spec = { collection, group: false, field: "workspaceId", shape: WORKSPACE_DELETION_QUERIES.byWorkspace(collection) };
      for (;;) {
        const page = await documentsWhere(db, spec, workspaceId, null, 200);
        if (page.length === 0) break;
        const batch = db.batch();
        for (const doc of page) onDelete(batch, doc.ref);
        await batch.commit();
        documents += page.length;
      }
    }
    const batch = db.batch();
    onDelete(batch, ref);
    await batch.commit();
    documents++;
    const prefix = `workspaces/${workspaceId}/`;
    const [files] = await bucket().getFiles({ prefix, autoPaginate: true, maxResults: 1000 });
    await bucket().deleteFiles({ prefix, force: true });
    return { documents, objects: files.length };
  }

  return {
    deleteNow,

    /** The owner schedules deletion; a second call answers the pending deletion. */
    async schedule(principal: Principal, workspaceId: string): Promise<DeletionView> {
      await access.require(principal, workspaceId, "workspace:manage");
      const now = clock.now();
      return db.runTransaction(async (tx) => {
        const existing = readRecord(await tx.get(marker(workspaceId)), storedWorkspaceDeletionSchema, { kind: "workspace deletion" });
        if (existing?.status === "pending") return toView(existing);
        const stored: StoredWorkspaceDeletion = {
          workspaceId,
          status: "pending",
          requestedBy: principal.kind === "user" ? principal.uid : principal.createdBy,
          requestedAt: Timestamp.fromMillis(now),
          purgeAfter: Timestamp.fromMillis(now + graceDays * 86_400_000),
          restoredAt: null,
          purgedAt: null,
          documentsDeleted: 0,
          objectsDeleted: 0,
          updatedAt: Timestamp.fromMillis(now),
        };
        tx.set(marker(workspaceId), stored);
        return toView(stored);
      });
    },

    /** The owner takes a pending deletion back before its grace period ends. */
    async restore(principal: Principal, workspaceId: string): Promise<DeletionView> {
      await access.require(principal, workspaceId, "workspace:manage");
      const now = clock.now();
      return db.runTransaction(async (tx) => {
        const existing = readRecord(await tx.get(marker(workspaceId)), storedWorkspaceDeletionSchema, { kind: "workspace deletion" });
        if (!existing || existing.status !== "pending") throw new NotFoundError("This workspace has no pending deletion.");
        if (existing.purgeAfter.toMillis() <= now) throw new FailedPreconditionError("The grace period is over: the workspace is being deleted.");
        const restored = { ...existing, status: "restored" as const, restoredAt: Timestamp.fromMillis(now), updatedAt: Timestamp.fromMillis(now) };
        tx.set(marker(workspaceId), restored);
        return toView(restored);
      });
    },

    /** The retention pass of `deletedWorkspaces`: pending deletions past their grace period, each deleted whole. */
    duePass(now: number): PassSource {
      const due = expiredDocuments(db, { collection: WORKSPACE_DELETIONS, group: false, field: "purgeAfter", before: Timestamp.fromMillis(now), equals: ["status", "pending"], shape: WORKSPACE_DELETION_QUERIES.due }, () => undefined);
      return {
        page: due.page,
        cursorOf: due.cursorOf,
        // Each workspace is deleted before the page's batch commits the progress; a crash re-runs
        // the deletion of what is left (deleteNow is restartable) and the marker says purged only after.
        async apply(batch, doc) {
          const { documents, objects } = await deleteNow(doc.id);
          const at = Timestamp.fromMillis(clock.now());
          batch.update(doc.ref, { status: "purged", purgedAt: at, updatedAt: at, documentsDeleted: documents, objectsDeleted: objects });
          return true;
        },
      };
    },

    /**
     * Erasure of a member: memberships go. A workspace the person owns passes to its highest-ranked
     * remaining member (the longest-standing among equals); one they own alone is deleted whole.
     */
    async eraseMemberships(uid: string): Promise<{ memberships: number; transferred: string[]; deleted: string[]; documents: number; objects: number }> {
      const out = { memberships: 0, transferred: [] as string[], deleted: [] as string[], documents: 0, objects: 0 };
      for (;;) {
        const page = await runQuery(WORKSPACE_DELETION_QUERIES.membershipsOf, db.collectionGroup(MEMBERS).where("uid", "==", uid).orderBy(FieldPath.documentId()).limit(100));
        if (page.empty) return out;
        for (const doc of page.docs) {
          const member = storedMemberSchema.parse(doc.data());
          out.memberships++;
          if (member.role !== "owner") {
            const batch = db.batch();
            onDelete(batch, doc.ref);
            await batch.commit();
            continue;
          }
          const others = await runQuery(WORKSPACE_DELETION_QUERIES.membersOf, db.collection(membersPath(member.workspaceId)).orderBy(FieldPath.documentId()).limit(500));
          const heir = others.docs
            .map((d) => storedMemberSchema.parse(d.data()))
            .filter((m) => m.uid !== uid)
            .sort((a, b) => roleRank(b.role) - roleRank(a.role) || a.addedAt.toMillis() - b.addedAt.toMillis())[0];
          if (!heir) {
            const deleted = await deleteNow(member.workspaceId);
            out.deleted.push(member.workspaceId);
            out.documents += deleted.documents;
            out.objects += deleted.objects;
            continue;
          }
          const at = Timestamp.fromMillis(clock.now());
          const batch = db.batch();
          batch.update(db.doc(workspacePath(member.workspaceId)), { ownerUid: heir.uid, updatedAt: at });
          batch.update(db.doc(`${membersPath(member.workspaceId)}/${heir.uid}`), { role: ROLES[ROLES.length - 1], updatedAt: at });
          onDelete(batch, doc.ref);
          await batch.commit();
          out.transferred.push(member.workspaceId);
        }
      }
    },
  };
}

export type WorkspaceDeletion = ReturnType<typeof createWorkspaceDeletion>;

/** A deletion's requester is kept as a pseudonym after their erasure. */
export const WORKSPACE_SUBJECT_RECORDS: SubjectRecordSpec[] = [
  {
    collection: WORKSPACE_DELETIONS,
    group: false,
    field: "requestedBy",
    shape: queryShape({ name: "workspaces.deletionsByRequester", collectionGroup: WORKSPACE_DELETIONS, equality: ["requestedBy"], orderBy: [["__name__", "asc"]] }),
    rule: "anonymise",
  },
];
