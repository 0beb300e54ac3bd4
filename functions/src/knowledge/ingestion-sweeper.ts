import { Timestamp, type Firestore, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import type { Clock } from "../lib/clock";
import { queryShape, runQuery } from "../lib/firestore-queries";
import type { Ingestion, StalledState } from "./ingestion";
import { KNOWLEDGE_LIMITS } from "./knowledge-limits";
import { DOCUMENTS } from "./knowledge-records";

/** Documents in one status, last changed before a time, across workspaces. */
export const STALLED_QUERY = queryShape({ name: "knowledge.stalledIngests", collectionGroup: DOCUMENTS, scope: "COLLECTION_GROUP", equality: ["status"], range: "updatedAt", orderBy: [["updatedAt", "asc"]] });

/**
 * When a document counts as stalled. An ingest runs inside one request or event (at most 300 s,
 * the upload trigger's timeout), so `processing` for 15 minutes means its instance ended without
 * an outcome; a `pending` upload whose URL expired 15 minutes ago will not receive its file.
 */
export const STALLED_AFTER_MS = {
  processing: 15 * 60_000,
  pending: KNOWLEDGE_LIMITS.uploadUrlTtlMs + 15 * 60_000,
};

const PAGE = 100;

/**
 * The `sweepStalledIngests` cron: closes documents no ingest will ever finish, so clients stop
 * waiting on them and see what to do (reingest, upload again). A `text` document's ingest runs
 * inside the callable that created it and nothing retries it; an upload's trigger is retried by
 * the platform, but not past its retry window.
 */
export function createIngestionSweeper({ db, clock, ingestion }: { db: Pick<Firestore, "collectionGroup">; clock: Clock; ingestion: Pick<Ingestion, "failStalled"> }) {
  async function sweepStatus(status: StalledState["status"]): Promise<number> {
    const updatedBefore = clock.now() - STALLED_AFTER_MS[status];
    const failure =
      status === "processing"
        ? { code: "interrupted" as const, message: "Ingestion was interrupted before it finished. Reingest the document to try again." }
        : { code: "upload-missing" as const, message: "No file arrived before the upload URL expired. Create the upload again." };
    const query = db.collectionGroup(DOCUMENTS).where("status", "==", status).where("updatedAt", "<", Timestamp.fromMillis(updatedBefore)).orderBy("updatedAt");
    let closed = 0;
    let last: QueryDocumentSnapshot | undefined;
    for (;;) {
      const page = await runQuery(STALLED_QUERY, (last ? query.startAfter(last) : query).limit(PAGE));
      for (const doc of page.docs) {
        // workspaces/{workspaceId}/documents/{documentId}
        const [, workspaceId, , documentId] = doc.ref.path.split("/");
        if (!workspaceId || !documentId) continue;
        const generation = Number(doc.get("latestGeneration")) || 0;
        if (await ingestion.failStalled({ workspaceId, documentId, generation }, failure, { status, updatedBefore })) closed++;
      }
      if (page.size < PAGE) return closed;
      last = page.docs[page.size - 1];
    }
  }

  return {
    async sweep(): Promise<{ interrupted: number; uploadMissing: number }> {
      return { interrupted: await sweepStatus("processing"), uploadMissing: await sweepStatus("pending") };
    },
  };
}
