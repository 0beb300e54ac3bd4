import { FieldPath, Timestamp, type DocumentReference, type DocumentSnapshot, type Firestore, type WriteBatch } from "firebase-admin/firestore";
import { API_KEY_SUBJECT_RECORDS } from "../api-keys/api-key-erasure";
import { deleteWithTombstone } from "../backups/tombstones";
import { EVENTS } from "../events/event-records";
import { EXECUTION_SUBJECT_RECORDS } from "../executions/execution-purge";
import { identityCacheTags } from "../identity/identity-cache-keys";
import { userPath } from "../identity/user-records";
import { DOCUMENT_SUBJECT_RECORDS } from "../knowledge/document-erasure";
import { deleteTree, documentsWhere, type SubjectRecordSpec } from "../lib/bounded-pass";
import type { ReadThroughCache } from "../lib/cache";
import type { Clock } from "../lib/clock";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { PROMPT_SUBJECT_RECORDS } from "../prompts/prompt-purge";
import { WEBHOOK_SUBJECT_RECORDS, WEBHOOK_WORKSPACE_RECORDS } from "../webhooks/webhook-purge";
import { WORKSPACE_SUBJECT_RECORDS, type WorkspaceDeletion } from "../workspaces/workspace-deletion";
import { MEMBERS, workspacePath } from "../workspaces/workspace-records";
import { deleteKeys, findSubjectKeys, type RedisFinding, type SubjectRedis } from "./subject-redis";
import type { FieldSealer } from "../secrets/sealed-fields";

/**
 * Everything the product holds about one person, found the same way for export and erasure:
 * their `users/{uid}` subtree (profile, consents), their memberships and the workspaces they
 * belong to, the records each domain declares as theirs (`*_SUBJECT_RECORDS`: runs, prompts,
 * documents, keys, endpoints they created), outbox events and webhook payloads of their
 * workspaces that name them, the files of workspaces they own, their Redis keys and cache
 * entries, and their Auth account. Erasure deletes what is theirs and replaces their id and email
 * by `ERASED_SUBJECT` in what belongs to a workspace (docs/compliance.md, "Erasure rule").
 */
export const SUBJECT_RECORDS: SubjectRecordSpec[] = [
  ...EXECUTION_SUBJECT_RECORDS,
  ...PROMPT_SUBJECT_RECORDS,
  ...DOCUMENT_SUBJECT_RECORDS,
  ...API_KEY_SUBJECT_RECORDS,
  ...WEBHOOK_SUBJECT_RECORDS,
  ...WORKSPACE_SUBJECT_RECORDS,
];

/** What an erased person's id and email become in records that stay. */
export const ERASED_SUBJECT = "erased-user";

/** Where export archives live in the default bucket; erased with their subject. */
export const exportPrefix = (uid: string) => `compliance/exports/${uid}/`;

export type AuthRecord = { uid: string; email: string | null; displayName: string | null; createdAt: string | null; lastSignInAt: string | null; providers: string[] };

/** What the compliance domain uses of Firebase Auth (the Admin SDK's `Auth` behind a small adapter). */
export type SubjectAuth = { getUser(uid: string): Promise<AuthRecord | null>; deleteUser(uid: string): Promise<boolean> };

export type SubjectFile = { name: string; metadata?: { contentType?: string; size?: string | number }; download(): Promise<[Buffer]> };
/** What the domain uses of the default bucket. */
export type SubjectBucket = {
  name: string;
  getFiles(options: { prefix: string; autoPaginate: boolean; maxResults?: number }): Promise<[SubjectFile[], ...unknown[]]>;
  deleteFiles(options: { prefix: string; force: boolean }): Promise<unknown>;
};

export type SubjectDataDeps = {
  db: Firestore;
  clock: Clock;
  workspaces: Pick<WorkspaceDeletion, "eraseMemberships">;
  bucket: (() => SubjectBucket) | null;
  redis: SubjectRedis | null;
  cache: Pick<ReadThroughCache, "invalidate"> | null;
  auth: SubjectAuth | null;
  /** Opens sealed personal data (docs/secrets.md) so the export holds it readable; absent: exported as stored. */
  fields?: Pick<FieldSealer, "open">;
};

/** One exported item: a document, a file, a Redis key or the Auth account. */
export type ExportLine =
  | { type: "auth"; account: AuthRecord }
  | { type: "firestore"; path: string; rule: "delete" | "anonymise" | "membership" | "workspace"; data: unknown }
  | { type: "storage"; bucket: string; name: string; contentType: string | null; size: number; base64: string }
  | { type: "redis"; key: string; redisType: string; value: unknown };

export type ErasureResult = {
  found: Record<string, number>;
  deleted: number;
  anonymised: number;
  storageObjectsDeleted: number;
  redisKeysDeleted: number;
  authAccountDeleted: boolean;
  workspacesDeleted: string[];
  workspacesTransferred: string[];
};

const MEMBERSHIPS = queryShape({ name: "compliance.membershipsOf", collectionGroup: MEMBERS, scope: "COLLECTION_GROUP", equality: ["uid"], orderBy: [["__name__", "asc"]] });
const PAGE = 200;

/** Replaces every occurrence of a needle in the strings of plain data (Timestamps, references and vectors stay as they are). */
export function replaceDeep(value: unknown, needles: string[], replacement: string): unknown {
  if (typeof value === "string") return needles.reduce((s, n) => s.split(n).join(replacement), value);
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, needles, replacement));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, replaceDeep(v, needles, replacement)]));
  }
  return value;
}

/** Whether plain data mentions a needle anywhere. */
export function mentions(value: unknown, needles: string[]): boolean {
  if (typeof value === "string") return needles.some((n) => value.includes(n));
  if (Array.isArray(value)) return value.some((v) => mentions(v, needles));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value as Record<string, unknown>).some((v) => mentions(v, needles));
  return false;
}

export function createSubjectData(deps: SubjectDataDeps) {
  const { db, clock } = deps;
  const onDelete = (batch: WriteBatch, ref: DocumentReference) => {
    deleteWithTombstone(batch, ref, clock);
  };

  const needlesOf = (uid: string, account: AuthRecord | null) => [uid, ...(account?.email ? [account.email] : [])];

  /** The person's memberships: workspace ids and roles. */
  async function memberships(uid: string): Promise<Array<{ workspaceId: string; snap: DocumentSnapshot }>> {
    const out: Array<{ workspaceId: string; snap: DocumentSnapshot }> = [];
    let after: DocumentReference | null = null;
    for (;;) {
      let query = db.collectionGroup(MEMBERS).where("uid", "==", uid).orderBy(FieldPath.documentId());
      if (after) query = query.startAfter(after);
      const page = await runQuery(MEMBERSHIPS, query.limit(PAGE));
      for (const doc of page.docs) out.push({ workspaceId: String(doc.get("workspaceId")), snap: doc });
      if (page.size < PAGE) return out;
      after = page.docs[page.size - 1]!.ref;
    }
  }

  /** Every document under `ref` (and `ref` itself), depth first, a page at a time. */
  async function* tree(ref: DocumentReference): AsyncGenerator<DocumentSnapshot> {
    const snap = await ref.get();
    if (snap.exists) yield snap;
    for (const collection of await ref.listCollections()) {
      for (const child of await collection.listDocuments()) yield* tree(child);
    }
  }

  /** The documents of one declared record kind that name the person. */
  async function* declared(spec: Omit<SubjectRecordSpec, "rule">, uid: string): AsyncGenerator<DocumentSnapshot> {
    let after: string | null = null;
    for (;;) {
      const page = await documentsWhere(db, spec, uid, after, PAGE);
      yield* page;
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.ref.path;
    }
  }

  /** Outbox events and webhook payloads of the person's workspaces that mention them. */
  async function* workspaceMentions(workspaceIds: string[], needles: string[]): AsyncGenerator<DocumentSnapshot> {
    const specs = [WEBHOOK_WORKSPACE_RECORDS, { collection: EVENTS, group: false, field: "workspaceId", shape: queryShape({ name: "compliance.eventsOfWorkspace", collectionGroup: EVENTS, equality: ["workspaceId"], orderBy: [["__name__", "asc"]] }) }];
    for (const workspaceId of workspaceIds) {
      for (const spec of specs) {
        for await (const doc of declared(spec, workspaceId)) if (mentions(doc.data(), needles)) yield doc;
      }
    }
  }

  async function ownedFiles(workspaceIds: string[]): Promise<SubjectFile[]> {
    if (!deps.bucket) return [];
    const files: SubjectFile[] = [];
    for (const workspaceId of workspaceIds) files.push(...(await deps.bucket().getFiles({ prefix: `workspaces/${workspaceId}/`, autoPaginate: true }))[0]);
    return files;
  }

  async function redisFindings(needles: string[]): Promise<RedisFinding[]> {
    return deps.redis ? findSubjectKeys(deps.redis, needles) : [];
  }

  return {
    /** Everything held about `uid`, as export lines, handed to `write` one at a time (memory stays flat). */
    async exportTo(uid: string, write: (line: ExportLine) => Promise<void>): Promise<Record<string, number>> {
      const counts: Record<string, number> = {};
      const emit = async (line: ExportLine, kind: string) => {
        counts[kind] = (counts[kind] ?? 0) + 1;
        await write(line);
      };
      const account = deps.auth ? await deps.auth.getUser(uid) : null;
      if (account) await emit({ type: "auth", account }, "auth");
      const needles = needlesOf(uid, account);
      for await (const snap of tree(db.doc(userPath(uid)))) await emit({ type: "firestore", path: snap.ref.path, rule: "delete", data: snap.data() }, "users");
      const mine = await memberships(uid);
      const owned: string[] = [];
      for (const { workspaceId, snap } of mine) {
        await emit({ type: "firestore", path: snap.ref.path, rule: "membership", data: snap.data() }, MEMBERS);
        const workspace = await db.doc(workspacePath(workspaceId)).get();
        if (workspace.exists) await emit({ type: "firestore", path: workspace.ref.path, rule: "workspace", data: workspace.data() }, "workspaces");
        if (snap.get("role") === "owner") owned.push(workspaceId);
      }
      for (const spec of SUBJECT_RECORDS) {
        for await (const doc of declared(spec, uid)) await emit({ type: "firestore", path: doc.ref.path, rule: spec.rule, data: deps.fields ? await deps.fields.open(doc.ref.path, doc.data()) : doc.data() }, spec.collection);
      }
      for await (const doc of workspaceMentions(mine.map((m) => m.workspaceId), needles)) await emit({ type: "firestore", path: doc.ref.path, rule: "anonymise", data: doc.data() }, doc.ref.parent.id);
      for (const file of await ownedFiles(owned)) {
        const [bytes] = await file.download();
        await emit({ type: "storage", bucket: deps.bucket!().name, name: file.name, contentType: file.metadata?.contentType ?? null, size: bytes.length, base64: bytes.toString("base64") }, "storage");
      }
      for (const found of await redisFindings(needles)) await emit({ type: "redis", key: found.key, redisType: found.type, value: found.value }, "redis");
      return counts;
    },

    /**
     * Erases `uid` everywhere (see the module comment). Restartable: each step finds only what
     * is left, so a retried request finishes the work without doing anything twice. `stores`
     * narrows it to Firestore when the ledger is re-applied to a restored database.
     */
    async erase(uid: string, stores: { external: boolean } = { external: true }): Promise<ErasureResult> {
      const result: ErasureResult = { found: {}, deleted: 0, anonymised: 0, storageObjectsDeleted: 0, redisKeysDeleted: 0, authAccountDeleted: false, workspacesDeleted: [], workspacesTransferred: [] };
      const found = (kind: string, n = 1) => (result.found[kind] = (result.found[kind] ?? 0) + n);
      const account = stores.external && deps.auth ? await deps.auth.getUser(uid) : null;
      const needles = needlesOf(uid, account);
      const at = () => Timestamp.fromMillis(clock.now());

      const mine = await memberships(uid);
      found(MEMBERS, mine.length);
      for await (const doc of workspaceMentions(mine.map((m) => m.workspaceId), needles)) {
        found(doc.ref.parent.id);
        await doc.ref.set({ ...(replaceDeep(doc.data(), needles, ERASED_SUBJECT) as Record<string, unknown>), updatedAt: at() });
        result.anonymised++;
      }
      for (const spec of SUBJECT_RECORDS) {
        for (;;) {
          // Each page's documents leave the query (deleted, or no longer naming the person): always the first page.
          const page = await documentsWhere(db, spec, uid, null, PAGE);
          if (page.length === 0) break;
          found(spec.collection, page.length);
          const batch = db.batch();
          for (const doc of page) {
            if (spec.rule === "delete") onDelete(batch, doc.ref);
            else batch.set(doc.ref, { ...(replaceDeep(doc.data(), needles, ERASED_SUBJECT) as Record<string, unknown>), [spec.field]: ERASED_SUBJECT, updatedAt: at() });
          }
          await batch.commit();
          if (spec.rule === "delete") result.deleted += page.length;
          else result.anonymised += page.length;
        }
      }
      const workspaces = await deps.workspaces.eraseMemberships(uid);
      result.deleted += workspaces.memberships + workspaces.documents;
      result.storageObjectsDeleted += workspaces.objects;
      result.workspacesDeleted = workspaces.deleted;
      result.workspacesTransferred = workspaces.transferred;
      const userDoc = db.doc(userPath(uid));
      const userDocs = await deleteTree(db, userDoc, onDelete);
      const profile = await userDoc.get();
      if (profile.exists) {
        const batch = db.batch();
        onDelete(batch, userDoc);
        await batch.commit();
      }
      found("users", userDocs + (profile.exists ? 1 : 0));
      result.deleted += userDocs + (profile.exists ? 1 : 0);
      if (!stores.external) return result;

      if (deps.bucket) {
        const [archives] = await deps.bucket().getFiles({ prefix: exportPrefix(uid), autoPaginate: true });
        if (archives.length) await deps.bucket().deleteFiles({ prefix: exportPrefix(uid), force: true });
        found("storage", archives.length + workspaces.objects);
        result.storageObjectsDeleted += archives.length;
      }
      // Every instance's in-process copy goes with the tag; the Redis keys themselves are then deleted.
      await deps.cache?.invalidate({ tags: [identityCacheTags.user(uid), ...[...workspaces.deleted, ...workspaces.transferred].map(identityCacheTags.workspace)] });
      const keys = await redisFindings(needles);
      found("redis", keys.length);
      if (deps.redis) result.redisKeysDeleted = await deleteKeys(deps.redis, keys.map((k) => k.key));
      if (deps.auth) result.authAccountDeleted = await deps.auth.deleteUser(uid);
      return result;
    },
  };
}

export type SubjectData = ReturnType<typeof createSubjectData>;
