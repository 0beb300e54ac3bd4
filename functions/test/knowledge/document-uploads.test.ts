import functionsTest from "firebase-functions-test";
import { onObjectFinalized } from "firebase-functions/v2/storage";
import { uploadWorker } from "../../src/knowledge/storage-trigger";
import { systemClock } from "../../src/lib/clock";
import { createWorker, storageEvent } from "../../src/lib/workers";
import { freshWorkspace } from "../helpers/firestore";
import { knowledgeService, localBucket, storedChunks } from "./knowledge-fixtures";

const testEnv = functionsTest({ projectId: process.env.GCLOUD_PROJECT });

/** The real Storage client against the local stack's Storage; the finalize event fired by hand, through the deployed trigger's shape. */
async function uploadSetup() {
  const ws = await freshWorkspace("upload");
  const bucket = await localBucket();
  const knowledge = knowledgeService({ db: ws.db, access: ws.access, bucket });
  // The trigger as deployed (an onObjectFinalized function running the upload worker), over this test's knowledge service.
  const trigger = testEnv.wrap(onObjectFinalized({ bucket: bucket.name }, async (event) => {
    await createWorker(uploadWorker({ knowledge }), { db: ws.db, clock: systemClock })(storageEvent(event));
  }));
  const finalized = async (path: string) => {
    const [metadata] = await bucket.file(path).getMetadata();
    await trigger({ data: { ...metadata, name: path, bucket: bucket.name } as never });
  };
  /** A client's PUT to the signed URL of its ticket, then Storage's finalize event. */
  const putSigned = async (ticket: { storagePath: string; uploadUrl: string | null; uploadHeaders: Record<string, string> | null }, data: Buffer) => {
    const res = await fetch(ticket.uploadUrl!, { method: "PUT", headers: ticket.uploadHeaders!, body: data });
    if (!res.ok) throw new Error(`signed PUT answered ${res.status}: ${await res.text()}`);
    await finalized(ticket.storagePath);
  };
  /** An object written straight to the bucket (another writer than the product), then its finalize event. */
  const upload = async (path: string, data: Buffer, contentType = "text/markdown") => {
    await bucket.file(path).save(data, { contentType, resumable: false });
    await finalized(path);
  };
  const exists = async (path: string) => (await bucket.file(path).exists())[0];
  return { ...ws, bucket, knowledge, upload, putSigned, exists };
}

describe("document uploads through the storage trigger", () => {
  afterAll(() => testEnv.cleanup());

  it("creates a pending document with a signed upload URL, then ingests the uploaded file", async () => {
    const { knowledge, owner, workspaceId, bucket, putSigned } = await uploadSetup();

    const ticket = await knowledge.createDocumentUpload(owner, workspaceId, { title: "Handbook", filename: "handbook.md", contentType: "text/markdown" });
    expect(ticket.document).toMatchObject({ status: "pending", source: "upload", filename: "handbook.md", activeGeneration: 0 });
    expect(ticket.storagePath).toBe(`workspaces/${workspaceId}/documents/${ticket.document.id}/handbook.md`);
    const signed = new URL(ticket.uploadUrl!);
    expect(signed.pathname).toBe(`/${bucket.name}/${ticket.storagePath}`);
    expect(signed.searchParams.get("X-Goog-Algorithm")).toBe("GOOG4-RSA-SHA256");
    expect(signed.searchParams.get("X-Goog-SignedHeaders")?.split(";")).toEqual(expect.arrayContaining(["content-type", "x-goog-content-length-range"]));

    await putSigned(ticket, Buffer.from("\uFEFF# Holidays\nEmployees get twenty-five days of paid holiday per year."));

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
    const { knowledge, owner, workspaceId, putSigned, bucket, exists, db } = await uploadSetup();
    const ticket = await knowledge.createDocumentUpload(owner, workspaceId, { title: "Guide", filename: "guide.md", contentType: "text/markdown" });
    await putSigned(ticket, Buffer.from("# Old\nOld guidance."));
    // Replaced without an event reaching the product: only a reingest reads it.
    await bucket.file(ticket.storagePath).save(Buffer.from("# New\nNew guidance about kites."), { contentType: "text/markdown", resumable: false });

    const again = await knowledge.reingestDocument(owner, workspaceId, ticket.document.id, {});
    await expect(knowledge.reingestDocument(owner, workspaceId, ticket.document.id, { text: "pasted" })).rejects.toMatchObject({ code: "invalid-argument" });
    await knowledge.deleteDocument(owner, workspaceId, ticket.document.id);

    expect(again).toMatchObject({ status: "ready", activeGeneration: 2 });
    expect(await exists(ticket.storagePath)).toBe(false);
    expect(await storedChunks(db, workspaceId, ticket.document.id)).toEqual([]);
  });

  it("removes a file uploaded for a document that no longer exists", async () => {
    const { knowledge, owner, workspaceId, putSigned, exists } = await uploadSetup();
    const ticket = await knowledge.createDocumentUpload(owner, workspaceId, { title: "Gone", filename: "gone.md", contentType: "text/markdown" });
    await knowledge.deleteDocument(owner, workspaceId, ticket.document.id);

    await putSigned(ticket, Buffer.from("late upload"));

    expect(await exists(ticket.storagePath)).toBe(false);
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
