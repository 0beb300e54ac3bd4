import { FieldPath, type Firestore } from "firebase-admin/firestore";
import type { Clock } from "../lib/clock";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { requireRecord } from "../lib/firestore-records";
import { logger as defaultLogger, type Logger } from "../lib/logging";
import { createWorkspaceDeletion } from "../workspaces/workspace-deletion";
import { ERASURE_LEDGER, storedLedgerEntrySchema, type StoredLedgerEntry } from "./compliance-records";
import { createSubjectData } from "./subject-data";

/**
 * The erasure ledger: `erasureLedger/{uid}` says who was erased and when (ids only). Backups
 * taken before an erasure still hold the person's data, so every restore re-applies the ledger
 * to the restored database before it serves traffic: the backup restore calls `reapply` as its
 * last step (`afterRestore`, backups/backup-restore.ts). Entries come from the live database
 * (erasures after the backup) and from the restored one (erasures the backup already knew of);
 * the restored database gets the whole ledger back.
 */
const PAGE = queryShape({ name: "compliance.ledgerPage", collectionGroup: ERASURE_LEDGER, orderBy: [["__name__", "asc"]] });

export type ReapplyResult = { subjects: number; deleted: number; anonymised: number };

async function* entries(db: Firestore): AsyncGenerator<StoredLedgerEntry> {
  let after: string | null = null;
  for (;;) {
    let query = db.collection(ERASURE_LEDGER).orderBy(FieldPath.documentId());
    if (after) query = query.startAfter(after);
    const snap = await runQuery(PAGE, query.limit(200));
    for (const doc of snap.docs) yield requireRecord(doc, storedLedgerEntrySchema, { kind: "erasure ledger entry" });
    if (snap.size < 200) return;
    after = snap.docs[snap.size - 1]!.id;
  }
}

/** Re-applies every erasure of `source`'s and `target`'s ledgers to `target` (Firestore only: files and Redis are not restored). */
export async function reapplyErasures(target: Firestore, source: Firestore | null, clock: Clock, logger: Logger = defaultLogger): Promise<ReapplyResult> {
  const noFiles = { getFiles: async () => [[]] as [Array<{ name: string }>], deleteFiles: async () => undefined };
  const workspaces = createWorkspaceDeletion({ db: target, clock, access: { require: async () => undefined }, bucket: () => noFiles });
  const subjects = createSubjectData({ db: target, clock, workspaces, bucket: null, redis: null, cache: null, auth: null });
  const seen = new Set<string>();
  const result: ReapplyResult = { subjects: 0, deleted: 0, anonymised: 0 };
  const apply = async (entry: StoredLedgerEntry, copy: boolean) => {
    if (seen.has(entry.subjectUid)) return;
    seen.add(entry.subjectUid);
    const erased = await subjects.erase(entry.subjectUid, { external: false });
    if (copy) await target.collection(ERASURE_LEDGER).doc(entry.subjectUid).set(entry);
    result.subjects++;
    result.deleted += erased.deleted;
    result.anonymised += erased.anonymised;
  };
  if (source) {
    const live = entries(source);
    for (;;) {
      let next: IteratorResult<StoredLedgerEntry>;
      try {
        next = await live.next();
      } catch (error) {
        // The live database may be what was lost: the restored ledger (daily export + hourly files) is then all there is.
        logger.error("erasure_ledger_source_unavailable", { error: error instanceof Error ? error.message : String(error) });
        break;
      }
      if (next.done) break;
      await apply(next.value, true);
    }
  }
  for await (const entry of entries(target)) await apply(entry, false);
  logger.info("erasure_ledger_reapplied", { ...result });
  return result;
}
