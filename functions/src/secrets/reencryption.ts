import { Timestamp, type Firestore } from "firebase-admin/firestore";
import type { Clock } from "../lib/clock";
import { logger } from "../lib/logging";
import type { SecretRotation } from "./secret-rotation";
import { rotationStatePath } from "./secret-rotation";
import type { MintedSecret } from "./secret-catalog";

/**
 * Background re-encryption after a rotation: every stored document protected by the rotated
 * secret gets its data keys re-wrapped under the new version, so the old version can be disabled
 * without losing data. Resumable: documents are visited in name order, a bounded page at a time,
 * and the cursor is saved after each page in the rotation state; a crash resumes after the last
 * saved page (a page done twice re-wraps nothing the second time). `retireSecretVersions` waits
 * for `done` before disabling the old version.
 */
export type ReencryptionTarget = {
  /** For logs: `executions`, `webhookEndpoints`. */
  name: string;
  /** Documents after `cursor` (a document path), at most `limit`, in path order. */
  page(cursor: string | null, limit: number): Promise<Array<{ path: string; data: Record<string, unknown>; updateTime?: Timestamp }>>;
  /** The fields to update for one document, or null when it is already under the current version. */
  rewrap(path: string, data: Record<string, unknown>): Promise<Record<string, unknown> | null>;
};

export type ReencryptionDeps = {
  db: Pick<Firestore, "doc" | "runTransaction">;
  clock: Clock;
  rotation: Pick<SecretRotation, "state">;
  /** Per secret: what it protects, visited in this order. */
  targets: (secret: MintedSecret) => ReencryptionTarget[];
  /** @default 200 */
  pageSize?: number;
};

/** Cursors name the target too: `<target index>|<document path>`. */
const encode = (target: number, path: string | null) => `${target}|${path ?? ""}`;
const decode = (cursor: string | null): [number, string | null] => {
  if (!cursor) return [0, null];
  const at = cursor.indexOf("|");
  return [Number(cursor.slice(0, at)), cursor.slice(at + 1) || null];
};

export function createReencryption(deps: ReencryptionDeps) {
  const pageSize = deps.pageSize ?? 200;

  /**
   * Writes only if the document did not change since it was read (documents that change, such as
   * webhook endpoints, must not lose a concurrent write); otherwise re-reads and re-wraps it in a
   * transaction, so no document is left under the old version when the job says `done`.
   */
  async function write(target: ReencryptionTarget, doc: { path: string; updateTime?: Timestamp }, changes: Record<string, unknown>): Promise<void> {
    const ref = deps.db.doc(doc.path);
    try {
      await ref.update(changes, ...(doc.updateTime ? [{ lastUpdateTime: doc.updateTime }] : []));
    } catch (error) {
      if ((error as { code?: unknown }).code !== 9) throw error;
      await deps.db.runTransaction(async (tx) => {
        const fresh = await tx.get(ref);
        const again = fresh.exists ? await target.rewrap(doc.path, fresh.data() ?? {}) : null;
        if (again) tx.update(ref, again);
      });
    }
  }
  return {
    /** Runs pages until done or `budgetMs` is spent; answers whether the job is done. */
    async run(secret: MintedSecret, budgetMs: number): Promise<{ done: boolean; updated: number }> {
      const started = deps.clock.now();
      const state = await deps.rotation.state(secret.id);
      if (!state?.reencryption || state.reencryption.status === "done") return { done: true, updated: 0 };
      const targets = deps.targets(secret);
      let [index, path] = decode(state.reencryption.cursor);
      let updated = state.reencryption.updated;
      while (index < targets.length) {
        const target = targets[index]!;
        const docs = await target.page(path, pageSize);
        for (const doc of docs) {
          let changes: Record<string, unknown> | null;
          try {
            changes = await target.rewrap(doc.path, doc.data);
          } catch (error) {
            // One unreadable document (its key already gone) must not stall the job: it is logged by path for a person.
            logger.error("secret_reencryption_failed", { secretId: secret.id, path: doc.path, errorName: error instanceof Error ? error.name : "unknown", reason: (error as { reason?: unknown }).reason });
            continue;
          }
          if (changes) {
            // `updatedAt` moves so the hourly backup carries the re-wrapped values (docs/backups.md).
            await write(target, doc, { ...changes, updatedAt: Timestamp.fromMillis(deps.clock.now()) });
            updated++;
          }
        }
        if (docs.length < pageSize) [index, path] = [index + 1, null];
        else path = docs[docs.length - 1]!.path;
        const done = index >= targets.length;
        await deps.db.doc(rotationStatePath(secret.id)).update({
          "reencryption.cursor": done ? null : encode(index, path),
          "reencryption.updated": updated,
          "reencryption.status": done ? "done" : "running",
          "reencryption.doneAt": done ? Timestamp.fromMillis(deps.clock.now()) : null,
        });
        logger.info("secret_reencryption_page", { secretId: secret.id, target: target.name, documents: docs.length, updated, done });
        if (done) return { done: true, updated };
        if (deps.clock.now() - started >= budgetMs) return { done: false, updated };
      }
      return { done: true, updated };
    },
  };
}
