import { FieldPath, Timestamp, type Firestore, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import { deleteWithTombstone } from "../backups/tombstones";
import type { PassCursor, PassSource, SubjectRecordSpec } from "../lib/bounded-pass";
import type { Clock } from "../lib/clock";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { EXECUTIONS } from "./execution-records";

/**
 * The executions domain's deletion entry points, called by the compliance workers: expired runs
 * deleted, inputs and outputs redacted, a user's runs found for export and erasure. Every delete
 * writes its tombstone in the same batch (the hourly backup replays it).
 */
export const EXECUTION_PURGE_QUERIES = {
  olderThan: queryShape({ name: "executions.olderThan", collectionGroup: EXECUTIONS, scope: "COLLECTION_GROUP", range: "createdAt", orderBy: [["createdAt", "asc"], ["__name__", "asc"]] }),
  byAuthor: queryShape({ name: "executions.byAuthor", collectionGroup: EXECUTIONS, scope: "COLLECTION_GROUP", equality: ["createdBy"], orderBy: [["__name__", "asc"]] }),
};

type Db = Pick<Firestore, "collectionGroup" | "collection" | "doc">;

const keyOf = (cursor: PassCursor) => Timestamp.fromMillis(Number(cursor.key));

function olderThan(db: Db, cutoff: number, fields: string[]) {
  return async (cursor: PassCursor | null, limit: number): Promise<QueryDocumentSnapshot[]> => {
    let query = db.collectionGroup(EXECUTIONS).where("createdAt", "<", Timestamp.fromMillis(cutoff)).orderBy("createdAt").orderBy(FieldPath.documentId()).select(...fields);
    if (cursor) query = query.startAfter(keyOf(cursor), db.doc(cursor.path));
    return (await runQuery(EXECUTION_PURGE_QUERIES.olderThan, query.limit(limit))).docs;
  };
}

const cursorOf = (doc: QueryDocumentSnapshot): PassCursor => ({ key: (doc.get("createdAt") as Timestamp).toMillis(), path: doc.ref.path });

/** Runs created before `cutoff`, deleted with their tombstones. */
export function expiredExecutions(db: Db, clock: Clock, cutoff: number): PassSource {
  return {
    page: olderThan(db, cutoff, ["createdAt"]),
    cursorOf,
    apply(batch, doc) {
      deleteWithTombstone(batch, doc.ref, clock);
      return true;
    },
  };
}

/**
 * Runs created before `cutoff` keep their record (usage, cost, status) but lose what the caller
 * sent and got back: variables, output, the retrieval query and citation snippets. `keep` spares
 * a run (its author consented to a longer history); it is examined again by a later pass.
 */
export function executionIoRedaction(db: Db, clock: Clock, cutoff: number, keep: (createdBy: string) => Promise<boolean> = async () => false): PassSource {
  return {
    page: olderThan(db, cutoff, ["createdAt", "createdBy", "ioRedactedAt", "citations", "retrieval"]),
    cursorOf,
    async apply(batch, doc) {
      if (doc.get("ioRedactedAt") != null) return false;
      const createdBy: unknown = doc.get("createdBy");
      if (typeof createdBy === "string" && (await keep(createdBy))) return false;
      const now = Timestamp.fromMillis(clock.now());
      const citations: unknown = doc.get("citations");
      const retrieval: unknown = doc.get("retrieval");
      batch.update(doc.ref, {
        variablesJson: "{}",
        output: "",
        ...(Array.isArray(citations) ? { citations: citations.map((c: Record<string, unknown>) => ({ ...c, snippet: "" })) } : {}),
        ...(retrieval && typeof retrieval === "object" ? { "retrieval.query": "" } : {}),
        ioRedactedAt: now,
        updatedAt: now,
      });
      return true;
    },
  };
}

/** A run is its author's activity (their inputs, the answers they got): on erasure it is deleted. */
export const EXECUTION_SUBJECT_RECORDS: SubjectRecordSpec[] = [{ collection: EXECUTIONS, group: true, field: "createdBy", shape: EXECUTION_PURGE_QUERIES.byAuthor, rule: "delete" }];
