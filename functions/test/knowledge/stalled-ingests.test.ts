import { getFirestore, Timestamp } from "firebase-admin/firestore";
import { firebaseApp } from "../../src/app/clients";
import { EVENTS } from "../../src/events/domain-events";
import { manualClock } from "../../src/lib/clock";
import { documentPath } from "../../src/knowledge/document-model";
import { STALLED_AFTER_MS } from "../../src/knowledge/ingestion-sweeper";
import { createKnowledgeService } from "../../src/knowledge/knowledge-service";
import { createLocalProvider } from "../../src/providers/local-provider";
import { freshWorkspace } from "../helpers/firestore";
import { CORPUS, fakeBucket, storedChunks } from "./knowledge-fixtures";
import { testFieldSealer } from "../helpers/field-sealer";

/**
 * The stalled-ingest sweeper closes documents no ingest will ever finish. A database of its own:
 * the sweep looks at every workspace, and this test's clock runs ahead of the others'.
 */
describe("sweepStalledIngests", () => {
  it("fails a document left processing (removing its partial chunks) and an upload that never arrived, and touches nothing else", async () => {
    const db = getFirestore(firebaseApp(), "stalled-ingests");
    const ws = await freshWorkspace("stall", undefined, db);
    const clock = manualClock(Date.now());
    const knowledge = createKnowledgeService({ db, clock, access: ws.access, provider: createLocalProvider(), bucket: () => fakeBucket().bucket, signUploads: false, fields: testFieldSealer() });

    const ready = await knowledge.createDocument(ws.owner, ws.workspaceId, { title: "Ready", text: CORPUS.gardening });
    // An ingest whose instance died after writing some chunks of generation 2 (generation 1 stays served).
    const stalled = await knowledge.createDocument(ws.owner, ws.workspaceId, { title: "Stalled", text: CORPUS.databases });
    await db.doc(documentPath(ws.workspaceId, stalled.id)).update({ status: "processing", latestGeneration: 2, updatedAt: Timestamp.fromMillis(clock.now()) });
    await db.collection(`workspaces/${ws.workspaceId}/chunks`).doc(`${stalled.id}-g2-0`).set({ documentId: stalled.id, generation: 2, index: 0, text: "partial", headingPath: [], terms: [], createdAt: Timestamp.now() });
    const { document: abandoned } = await knowledge.createDocumentUpload(ws.owner, ws.workspaceId, { title: "Never uploaded", filename: "notes.md", contentType: "text/markdown" });

    // Before the thresholds nothing is stalled.
    clock.advance(STALLED_AFTER_MS.processing - 1_000);
    expect(await knowledge.sweepStalledIngests()).toEqual({ interrupted: 0, uploadMissing: 0 });

    clock.advance(2_000);
    const { document: recent } = await knowledge.createDocumentUpload(ws.owner, ws.workspaceId, { title: "Just created", filename: "new.md", contentType: "text/markdown" });
    expect(await knowledge.sweepStalledIngests()).toEqual({ interrupted: 1, uploadMissing: 0 });
    expect(await knowledge.getDocument(ws.owner, ws.workspaceId, stalled.id)).toMatchObject({ status: "failed", failure: { code: "interrupted" }, activeGeneration: 1 });
    expect((await storedChunks(db, ws.workspaceId, stalled.id)).every((c) => c.generation === 1)).toBe(true);

    clock.advance(STALLED_AFTER_MS.pending - STALLED_AFTER_MS.processing);
    expect(await knowledge.sweepStalledIngests()).toEqual({ interrupted: 0, uploadMissing: 1 });
    expect(await knowledge.getDocument(ws.owner, ws.workspaceId, abandoned.id)).toMatchObject({ status: "failed", failure: { code: "upload-missing" } });
    expect(await knowledge.getDocument(ws.owner, ws.workspaceId, recent.id)).toMatchObject({ status: "pending" });
    expect(await knowledge.getDocument(ws.owner, ws.workspaceId, ready.id)).toMatchObject({ status: "ready" });

    // Clients and webhooks hear about it as about any failed ingest.
    const failedEvents = await db.collection(EVENTS).where("workspaceId", "==", ws.workspaceId).where("type", "==", "document.failed").get();
    expect(failedEvents.docs.map((d) => (d.get("data") as { failureCode: string }).failureCode).sort()).toEqual(["interrupted", "upload-missing"]);
  });
});
