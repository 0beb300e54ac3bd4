import { performance } from "node:perf_hooks";
import { systemClock } from "../../src/lib/clock";
import type { DocumentBucket } from "../../src/knowledge/document-files";
import { createKnowledgeService } from "../../src/knowledge/knowledge-service";
import { KNOWLEDGE_LIMITS } from "../../src/knowledge/knowledge-limits";
import { createPdfTextExtractor } from "../../src/knowledge/pdf-text";
import { createLocalProvider } from "../../src/providers/local-provider";
import { freshWorkspace } from "../helpers/firestore";
import { fakeBucket } from "./knowledge-fixtures";
import { flateBombPdf } from "./fixtures/pdf-builder";
import { minimalPdf } from "./fixtures/minimal-pdf";
import { testFieldSealer } from "../helpers/field-sealer";

const MiB = 1024 * 1024;
/** Built once, before any memory is measured: making it allocates the 200 MiB it inflates to. */
const BOMB = flateBombPdf(200 * MiB);

/** The fake bucket, recording which objects were downloaded. */
function watchedBucket() {
  const storage = fakeBucket();
  const downloads: string[] = [];
  const bucket: DocumentBucket = {
    file: (path) => {
      const file = storage.bucket.file(path);
      return { ...file, download: () => (downloads.push(path), file.download()) };
    },
  };
  return { ...storage, bucket, downloads };
}

async function setup() {
  const ws = await freshWorkspace("limits");
  const storage = watchedBucket();
  const knowledge = createKnowledgeService({ db: ws.db, clock: systemClock, access: ws.access, provider: createLocalProvider(), bucket: () => storage.bucket, signUploads: true, pdf: createPdfTextExtractor(), fields: testFieldSealer() });
  /** What Cloud Storage does when a PUT completes: store the object, and the trigger runs. */
  const upload = async (path: string, data: Buffer, size = data.length) => {
    storage.files.set(path, data);
    await knowledge.ingestUploadedObject({ name: path, size });
  };
  const ticket = (filename = "report.pdf", contentType: "application/pdf" | "text/markdown" = "application/pdf") =>
    knowledge.createDocumentUpload(ws.owner, ws.workspaceId, { title: "Report", filename, contentType });
  return { ...ws, storage, knowledge, upload, ticket };
}

describe("bounded ingestion of uploaded files", () => {
  it("signs upload URLs with the size limit, so Storage refuses a larger body", async () => {
    const { ticket, storage } = await setup();
    await ticket();
    expect(storage.signed[0]?.config).toMatchObject({ version: "v4", action: "write", extensionHeaders: { "x-goog-content-length-range": `0,${KNOWLEDGE_LIMITS.maxFileBytes}` } });
  });

  it("fails a PDF that inflates to 200 MiB as pdf-too-complex within 10 s, memory bounded", async () => {
    const { ticket, upload, knowledge, owner, workspaceId } = await setup();
    const { document, storagePath } = await ticket();
    const rss = process.memoryUsage.rss();
    const started = performance.now();

    await upload(storagePath, BOMB);

    expect(performance.now() - started).toBeLessThan(10_000);
    expect(process.memoryUsage.rss() - rss).toBeLessThan(150 * MiB);
    expect(await knowledge.getDocument(owner, workspaceId, document.id)).toMatchObject({ status: "failed", activeGeneration: 0, failure: { code: "pdf-too-complex" } });
  });

  it("refuses an object over the size limit from the event, without downloading it, and deletes it", async () => {
    const { ticket, upload, knowledge, owner, workspaceId, storage } = await setup();
    const { document, storagePath } = await ticket("big.md", "text/markdown");

    await upload(storagePath, Buffer.from("# small body, but the event says it is huge"), KNOWLEDGE_LIMITS.maxFileBytes + 1);

    const doc = await knowledge.getDocument(owner, workspaceId, document.id);
    expect(doc).toMatchObject({ status: "failed", failure: { code: "too-large", message: `The file is larger than ${KNOWLEDGE_LIMITS.maxFileBytes} bytes.` } });
    expect(doc.error).toBe(doc.failure?.message);
    expect(storage.downloads).toEqual([]);
    expect(storage.files.has(storagePath)).toBe(false);
  });

  it("reingest reads the object's size first and refuses an oversized one without downloading it", async () => {
    const { ticket, upload, knowledge, owner, workspaceId, storage } = await setup();
    const { document, storagePath } = await ticket();
    await upload(storagePath, minimalPdf("Quarterly revenue grew by twelve percent"));
    expect(await knowledge.getDocument(owner, workspaceId, document.id)).toMatchObject({ status: "ready", failure: null });
    storage.downloads.length = 0;
    storage.files.set(storagePath, Buffer.alloc(KNOWLEDGE_LIMITS.maxFileBytes + 1));

    const after = await knowledge.reingestDocument(owner, workspaceId, document.id, {});

    expect(after).toMatchObject({ status: "failed", activeGeneration: 1, failure: { code: "too-large" } });
    expect(storage.downloads).toEqual([]);
    expect(storage.files.has(storagePath)).toBe(false);
  });

  it("records a code for every failure and clears it when a reingest succeeds", async () => {
    const { ticket, upload, knowledge, owner, workspaceId, storage } = await setup();
    const { document, storagePath } = await ticket("notes.md", "text/markdown");
    await upload(storagePath, Buffer.from([0xc3, 0x28]));
    expect(await knowledge.getDocument(owner, workspaceId, document.id)).toMatchObject({ status: "failed", failure: { code: "unreadable", message: "The file is not valid UTF-8 text." } });

    storage.files.set(storagePath, Buffer.from("   \n\n  "));
    expect(await knowledge.reingestDocument(owner, workspaceId, document.id, {})).toMatchObject({ status: "failed", failure: { code: "no-text" } });

    storage.files.set(storagePath, Buffer.from("# Notes\nFixed."));
    expect(await knowledge.reingestDocument(owner, workspaceId, document.id, {})).toMatchObject({ status: "ready", error: null, failure: null });
  });
});
