import functionsTest from "firebase-functions-test";
import { onObjectFinalized } from "firebase-functions/v2/storage";
import { uploadWorker } from "../../src/knowledge/storage-trigger";
import { systemClock } from "../../src/lib/clock";
import { createWorker, storageEvent } from "../../src/lib/workers";
import { freshWorkspace } from "../helpers/firestore";
import { fakeBucket, knowledgeService, storedChunks } from "./knowledge-fixtures";

const testEnv = functionsTest({ projectId: process.env.GCLOUD_PROJECT });

async function uploadSetup() {
  const ws = await freshWorkspace("upload");
  const storage = fakeBucket();
  const knowledge = knowledgeService({ db: ws.db, access: ws.access, bucket: storage.bucket });
  // The trigger as deployed (an onObjectFinalized function), over this test's knowledge service.
  const trigger = testEnv.wrap(onObjectFinalized({ bucket: "demo-bucket" }, async (event) => {
      await createWorker(uploadWorker({ knowledge }), { db: ws.db, clock: systemClock })(storageEvent(event));
    }));
  /** What Cloud Storage does when the client's PUT completes: store the object, fire the event. */
  const upload = async (path: string, data: Buffer, contentType = "text/markdown") => {
    storage.files.set(path, data);
    await trigger({ data: { name: path, bucket: "demo-bucket", size: String(data.length), contentType } });
  };
  return { ...ws, storage, knowledge, upload };
}

describe("document uploads through the storage trigger", () => {
  afterAll(() => testEnv.cleanup());

  it("creates a pending document with a signed upload URL, then ingests the uploaded file", async () => {
    const { knowledge, owner, workspaceId, storage, upload } = await uploadSetup();

    const ticket = await knowledge.createDocumentUpload(owner, workspaceId, { title: "Handbook", filename: "handbook.md", contentType: "text/markdown" });
    expect(ticket.document).toMatchObject({ status: "pending", source: "upload", filename: "handbook.md", activeGeneration: 0 });
    expect(ticket.storagePath).toBe(`workspaces/${workspaceId}/documents/${ticket.document.id}/handbook.md`);
    expect(ticket.uploadUrl).toMatch(/^https:\/\/storage\.example\.test\//);
    expect(storage.signed[0]?.config).toMatchObject({ version: "v4", action: "write", contentType: "text/markdown" });

    await upload(ticket.storagePath, Buffer.from("\uFEFF# Holidays\nEmployees get twenty-five days of paid holiday per year."));

    const doc = await knowledge.getDocument(owner, workspaceId, ticket.document.id);
    expect(doc).toMatchObject({ status: "ready", activeGeneration: 1, chunkCount: 1 });
    const results = await knowledge.retrieve(owner, workspaceId, { query: "how many paid holiday days" });
    expect(results[0]).toMatchObject({ documentId: doc.id, documentTitle: "Handbook", headingPath: ["Holidays"] });
  });

  it("ignores a redelivered event, other paths and files that do not belong to the document", async () => {
    const { knowledge, owner, workspaceId, upload, db } = await uploadSetup();
    const ticket = await knowledge.createDocumentUpload(owner, workspaceId, { title: "Notes", filename: "notes.txt", contentType: "text/plain" });

    await upload(ticket.storagePath, Buffer.from("First version of the notes."), "text/plain");
    await upload(ticket.storagePath, Buffer.from("First version of the notes."), "text/plain");
    await upload(`workspaces/${workspaceId}/documents/${ticket.document.id}/other.txt`, Buffer.from("Intruder."), "text/plain");
    await upload("avatars/someone.png", Buffer.from("png"), "image/png");

    expect(await knowledge.getDocument(owner, workspaceId, ticket.document.id)).toMatchObject({ status: "ready", activeGeneration: 1 });
    expect(await storedChunks(db, workspaceId, ticket.document.id)).toEqual([expect.objectContaining({ generation: 1, text: "First version of the notes." })]);
  });

  it("marks a file that is not UTF-8 text as failed with a message saying so", async () => {
    const { knowledge, owner, workspaceId, upload, db } = await uploadSetup();
    const ticket = await knowledge.createDocumentUpload(owner, workspaceId, { title: "Binary", filename: "binary.txt", contentType: "text/plain" });

    await upload(ticket.storagePath, Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]), "text/plain");

    expect(await knowledge.getDocument(owner, workspaceId, ticket.document.id)).toMatchObject({ status: "failed", error: "The file is not valid UTF-8 text.", activeGeneration: 0 });
    expect(await storedChunks(db, workspaceId, ticket.document.id)).toEqual([]);
  });

  it("reingests an uploaded document by re-reading its file, and deleting it removes the file", async () => {
    const { knowledge, owner, workspaceId, upload, storage, db } = await uploadSetup();
    const ticket = await knowledge.createDocumentUpload(owner, workspaceId, { title: "Guide", filename: "guide.md", contentType: "text/markdown" });
    await upload(ticket.storagePath, Buffer.from("# Old\nOld guidance."));
    storage.files.set(ticket.storagePath, Buffer.from("# New\nNew guidance about kites."));

    const again = await knowledge.reingestDocument(owner, workspaceId, ticket.document.id, {});
    await expect(knowledge.reingestDocument(owner, workspaceId, ticket.document.id, { text: "pasted" })).rejects.toMatchObject({ code: "invalid-argument" });
    await knowledge.deleteDocument(owner, workspaceId, ticket.document.id);

    expect(again).toMatchObject({ status: "ready", activeGeneration: 2 });
    expect(storage.deleted).toEqual([ticket.storagePath]);
    expect(storage.files.has(ticket.storagePath)).toBe(false);
    expect(await storedChunks(db, workspaceId, ticket.document.id)).toEqual([]);
  });

  it("removes a file uploaded for a document that no longer exists", async () => {
    const { knowledge, owner, workspaceId, upload, storage } = await uploadSetup();
    const ticket = await knowledge.createDocumentUpload(owner, workspaceId, { title: "Gone", filename: "gone.md", contentType: "text/markdown" });
    await knowledge.deleteDocument(owner, workspaceId, ticket.document.id);

    await upload(ticket.storagePath, Buffer.from("late upload"));

    expect(storage.files.has(ticket.storagePath)).toBe(false);
  });

  it("does not sign upload URLs where Storage cannot sign (the emulator)", async () => {
    const ws = await freshWorkspace("nosign");
    const knowledge = knowledgeService({ db: ws.db, access: ws.access, signUploads: false });

    const ticket = await knowledge.createDocumentUpload(ws.owner, ws.workspaceId, { title: "Local", filename: "local.md", contentType: "text/markdown" });

    expect(ticket).toMatchObject({ uploadUrl: null, uploadUrlExpiresAt: null });
  });

  it("refuses PDF uploads when no PDF extractor is configured", async () => {
    const ws = await freshWorkspace("pdf");
    const knowledge = knowledgeService({ db: ws.db, access: ws.access });

    await expect(knowledge.createDocumentUpload(ws.owner, ws.workspaceId, { title: "Scan", filename: "scan.pdf", contentType: "application/pdf" })).rejects.toMatchObject({ code: "invalid-argument" });
  });
});
