import { call, createFixture, enterpriseUser, type Fixture } from "./matrix/fixtures";
import type { TestUser } from "../helpers/emulators";
import { deliveries, eventually } from "../helpers/events";

/**
 * A file upload as a client does it, through the emulators: ask for an upload ticket, PUT the
 * file to the V4 signed URL (signed by the functions with the local key, checked by the local
 * Storage server), and the finalize event ingests it, as `onObjectFinalized` does in production.
 */
jest.setTimeout(120_000);

type Ticket = { document: { id: string; status: string }; storagePath: string; uploadUrl: string | null; uploadHeaders: Record<string, string> | null };
type Document = { status: string; chunkCount: number; error: string | null };

describe("uploads through a signed URL", () => {
  let owner: TestUser;
  let fixture: Fixture;

  beforeAll(async () => {
    owner = await enterpriseUser("uploads-owner");
    fixture = await createFixture(owner, "Uploads e2e");
  });

  it("ingests a Markdown file PUT to the signed upload URL, and search finds it", async () => {
    const ticket = await call<Ticket>("createDocumentUpload", { workspaceId: fixture.workspaceId, title: "Bike policy", filename: "bikes.md", contentType: "text/markdown" }, owner);
    expect(ticket.document.status).toBe("pending");
    expect(ticket.uploadUrl).toMatch(/X-Goog-Signature=/);
    expect(ticket.uploadHeaders).toEqual({ "Content-Type": "text/markdown", "x-goog-content-length-range": expect.stringMatching(/^0,\d+$/) });

    const put = await fetch(ticket.uploadUrl!, { method: "PUT", headers: ticket.uploadHeaders!, body: "# Bikes\n\nBicycles go in the covered racks behind building C.\n" });
    expect(put.status).toBe(200);

    const ready = await eventually("the document to be ingested", async () => {
      const doc = await call<Document>("getDocument", { workspaceId: fixture.workspaceId, documentId: ticket.document.id }, owner);
      return doc.status === "pending" || doc.status === "processing" ? undefined : doc;
    });
    expect(ready).toMatchObject({ status: "ready", chunkCount: 1, error: null });
    const found = await call<{ results: Array<{ documentId: string; text: string }> }>("searchDocuments", { workspaceId: fixture.workspaceId, query: "where do bicycles go" }, owner);
    expect(found.results[0]).toMatchObject({ documentId: ticket.document.id, text: expect.stringContaining("covered racks") });
    expect((await deliveries()).find((d) => d.function === "onDocumentUploaded" && d.subject === `objects/${ticket.storagePath}`)).toMatchObject({ type: "google.cloud.storage.object.v1.finalized", status: 200 });
  });

  it("refuses a PUT with another content type, without the size range, with a tampered signature, or over the size limit", async () => {
    const ticket = await call<Ticket>("createDocumentUpload", { workspaceId: fixture.workspaceId, title: "Other", filename: "other.md", contentType: "text/markdown" }, owner);
    const headers = ticket.uploadHeaders!;
    const [, max] = headers["x-goog-content-length-range"]!.split(",");
    const wrongType = await fetch(ticket.uploadUrl!, { method: "PUT", headers: { ...headers, "Content-Type": "application/pdf" }, body: "%PDF-1.4" });
    const noRange = await fetch(ticket.uploadUrl!, { method: "PUT", headers: { "Content-Type": "text/markdown" }, body: "# x" });
    const tampered = await fetch(ticket.uploadUrl!.replace(/X-Goog-Signature=[0-9a-f]{8}/, "X-Goog-Signature=00000000"), { method: "PUT", headers, body: "# x" });
    const tooLarge = await fetch(ticket.uploadUrl!, { method: "PUT", headers, body: Buffer.alloc(Number(max) + 1, 0x61) });
    expect(wrongType.status).toBe(403);
    expect(noRange.status).toBe(403);
    expect(tampered.status).toBe(403);
    expect(tooLarge.status).toBe(400);
    const doc = await call<Document>("getDocument", { workspaceId: fixture.workspaceId, documentId: ticket.document.id }, owner);
    expect(doc.status).toBe("pending");
  });
});
