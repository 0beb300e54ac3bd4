import type { Firestore } from "firebase-admin/firestore";
import { invokeOperation } from "../../src/api/operation";
import { knowledgeOperations } from "../../src/knowledge/knowledge-operations";
import { KNOWLEDGE_LIMITS } from "../../src/knowledge/knowledge-limits";
import { createLocalProvider } from "../../src/providers/local-provider";
import type { LlmProvider } from "../../src/providers/provider-types";
import { freshWorkspace, uniqueUid, userPrincipal } from "../helpers/firestore";
import { CORPUS, knowledgeService, storedChunks } from "./knowledge-fixtures";

async function workspaceWithCorpus(prefix = "kb") {
  const ws = await freshWorkspace(prefix);
  const knowledge = knowledgeService({ db: ws.db, access: ws.access });
  const docs = {
    gardening: await knowledge.createDocument(ws.owner, ws.workspaceId, { title: "Gardening", text: CORPUS.gardening }),
    databases: await knowledge.createDocument(ws.owner, ws.workspaceId, { title: "Databases", text: CORPUS.databases }),
    cooking: await knowledge.createDocument(ws.owner, ws.workspaceId, { title: "Cooking", text: CORPUS.cooking }),
  };
  return { ...ws, knowledge, docs };
}

/** A Firestore whose `runTransaction` number `n` waits until released: freezes an ingest before its swap. */
function pausingDb(db: Firestore, n: number) {
  let calls = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const paused = new Promise<void>((resolve) => (reached = resolve));
  const wrapped = {
    collection: db.collection.bind(db),
    doc: db.doc.bind(db),
    batch: db.batch.bind(db),
    getAll: db.getAll.bind(db),
    runTransaction: (async (fn: Parameters<Firestore["runTransaction"]>[0]) => {
      calls += 1;
      if (calls === n) {
        reached();
        await released;
      }
      return db.runTransaction(fn);
    }) as Firestore["runTransaction"],
  } as Firestore;
  return { db: wrapped, paused, release };
}

function failingProvider(): LlmProvider {
  return { ...createLocalProvider(), embed: async () => Promise.reject(new Error("upstream exploded with key sk-abcdefghijklmnopqrstuvwxyz")) };
}

/** The workspace's `document.*` domain events (type, subject, data). */
async function documentEvents(db: Firestore, workspaceId: string) {
  const snap = await db.collection("events").where("workspaceId", "==", workspaceId).get();
  return snap.docs.filter((d) => String(d.get("type")).startsWith("document.")).map((d) => ({ type: d.get("type") as string, subject: d.get("subject") as string, data: d.get("data") as unknown }));
}

describe("knowledge base on the real Firestore", () => {
  it("ingests Markdown documents and retrieves the right chunk with a citation", async () => {
    const { knowledge, owner, workspaceId, docs } = await workspaceWithCorpus();
    expect(docs.databases).toMatchObject({ status: "ready", activeGeneration: 1, chunkCount: 2, error: null, source: "text" });

    const results = await knowledge.retrieve(owner, workspaceId, { query: "how does nearest neighbour vector search compare embeddings?" });

    expect(results[0]).toMatchObject({ documentId: docs.databases.id, documentTitle: "Databases", chunkIndex: 1, headingPath: ["Database indexes", "Vector search"] });
    expect(results[0]?.text).toContain("cosine distance");
    expect(results[0]?.chunkId).toBe(`${docs.databases.id}-g1-1`);
    expect(results[0]?.score).toBeGreaterThan(0);
    expect(results[0]?.score).toBeLessThanOrEqual(1);
    expect(results[0]?.vectorScore).toBeGreaterThan(0);
    expect(results[0]?.lexicalScore).toBeGreaterThan(0);
  });

  it("restricts retrieval to the given documentIds", async () => {
    const { knowledge, owner, workspaceId, docs } = await workspaceWithCorpus();

    const results = await knowledge.retrieve(owner, workspaceId, { query: "water", documentIds: [docs.cooking.id], topK: 10 });

    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results.map((r) => r.documentId))).toEqual(new Set([docs.cooking.id]));
  });

  it("swaps chunks atomically on reingest: the old chunks serve until the new ones replace them, never both", async () => {
    const ws = await freshWorkspace("swap");
    const reader = knowledgeService({ db: ws.db, access: ws.access });
    const doc = await reader.createDocument(ws.owner, ws.workspaceId, { title: "Geology", text: "Glaciers carve valleys slowly over thousands of years." });
    const pause = pausingDb(ws.db, 2);
    const writer = knowledgeService({ db: pause.db, access: ws.access });

    const reingest = writer.reingestDocument(ws.owner, ws.workspaceId, doc.id, { text: "Volcanoes erupt molten lava from magma chambers." });
    await pause.paused;
    const during = await reader.retrieve(ws.owner, ws.workspaceId, { query: "glaciers volcanoes lava valleys", topK: 10 });
    const storedDuring = await storedChunks(ws.db, ws.workspaceId, doc.id);
    pause.release();
    const after = await reingest;

    expect(storedDuring.map((c) => c.generation).sort()).toEqual([1, 2]);
    expect(during.map((r) => r.text)).toEqual(["Glaciers carve valleys slowly over thousands of years."]);
    expect(after).toMatchObject({ status: "ready", activeGeneration: 2 });
    const now = await reader.retrieve(ws.owner, ws.workspaceId, { query: "glaciers volcanoes lava valleys", topK: 10 });
    expect(now.map((r) => r.text)).toEqual(["Volcanoes erupt molten lava from magma chambers."]);
    expect((await storedChunks(ws.db, ws.workspaceId, doc.id)).map((c) => c.generation)).toEqual([2]);
  });

  it("re-chunks the stored text with new chunking options", async () => {
    const ws = await freshWorkspace("rechunk");
    const knowledge = knowledgeService({ db: ws.db, access: ws.access });
    const text = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} talks about topic ${i % 7}.`).join(" ");
    const doc = await knowledge.createDocument(ws.owner, ws.workspaceId, { title: "Long", text, chunking: { size: 2000, overlap: 0 } });

    const again = await knowledge.reingestDocument(ws.owner, ws.workspaceId, doc.id, { chunking: { size: 300, overlap: 50 } });

    expect(doc.chunkCount).toBe(2);
    expect(again.chunkCount).toBeGreaterThan(doc.chunkCount);
    expect(again.chunking).toEqual({ size: 300, overlap: 50 });
    expect(await storedChunks(ws.db, ws.workspaceId, doc.id)).toHaveLength(again.chunkCount);
  });

  it("deletes a document with all its chunks, and it is no longer found", async () => {
    const { knowledge, owner, workspaceId, docs, db } = await workspaceWithCorpus();

    await knowledge.deleteDocument(owner, workspaceId, docs.gardening.id);

    expect(await storedChunks(db, workspaceId, docs.gardening.id)).toEqual([]);
    await expect(knowledge.getDocument(owner, workspaceId, docs.gardening.id)).rejects.toMatchObject({ code: "not-found" });
    const results = await knowledge.retrieve(owner, workspaceId, { query: "tomato plants aphids", topK: 20 });
    expect(results.some((r) => r.documentId === docs.gardening.id)).toBe(false);
  });

  it("records a failed ingest with a safe message and leaves no chunks behind", async () => {
    const ws = await freshWorkspace("fail");
    const knowledge = knowledgeService({ db: ws.db, access: ws.access, provider: failingProvider() });

    const doc = await knowledge.createDocument(ws.owner, ws.workspaceId, { title: "Doomed", text: "Some text to embed." });

    expect(doc).toMatchObject({ status: "failed", activeGeneration: 0, error: "Ingestion failed. Reingest the document to try again." });
    expect(await storedChunks(ws.db, ws.workspaceId, doc.id)).toEqual([]);
    expect(await documentEvents(ws.db, ws.workspaceId)).toEqual([{ type: "document.failed", subject: `documents/${doc.id}`, data: { documentId: doc.id, failureCode: "internal" } }]);
  });

  it("keeps serving the previous chunks when a reingest fails", async () => {
    const ws = await freshWorkspace("fail2");
    const good = knowledgeService({ db: ws.db, access: ws.access });
    const doc = await good.createDocument(ws.owner, ws.workspaceId, { title: "Stable", text: "Lighthouses guide ships along rocky coasts." });

    const failed = await knowledgeService({ db: ws.db, access: ws.access, provider: failingProvider() }).reingestDocument(ws.owner, ws.workspaceId, doc.id, { text: "Replacement text." });

    expect(failed).toMatchObject({ status: "failed", activeGeneration: 1 });
    // Each status change wrote its event with it: ready (generation 1), then failed (generation 2).
    expect((await documentEvents(ws.db, ws.workspaceId)).map((e) => e.type).sort()).toEqual(["document.failed", "document.ready"]);
    expect(await documentEvents(ws.db, ws.workspaceId)).toContainEqual({ type: "document.ready", subject: `documents/${doc.id}`, data: { documentId: doc.id, chunkCount: 1 } });
    const results = await good.retrieve(ws.owner, ws.workspaceId, { query: "lighthouses ships" });
    expect(results.map((r) => r.text)).toEqual(["Lighthouses guide ships along rocky coasts."]);
    expect((await storedChunks(ws.db, ws.workspaceId, doc.id)).map((c) => c.generation)).toEqual([1]);
  });

  it("refuses oversized text, too many chunks and bad chunking before writing anything", async () => {
    const ws = await freshWorkspace("limits");
    const knowledge = knowledgeService({ db: ws.db, access: ws.access });
    const huge = "a".repeat(KNOWLEDGE_LIMITS.maxTextBytes + 1);
    const manyChunks = Array.from({ length: 501 }, (_, i) => `# H${i}\nbody ${i}`).join("\n");

    await expect(knowledge.createDocument(ws.owner, ws.workspaceId, { title: "Huge", text: huge })).rejects.toMatchObject({ code: "payload-too-large" });
    await expect(knowledge.createDocument(ws.owner, ws.workspaceId, { title: "Many", text: manyChunks, chunking: { size: 200, overlap: 0 } })).rejects.toMatchObject({ code: "payload-too-large" });
    await expect(knowledge.createDocument(ws.owner, ws.workspaceId, { title: "Bad", text: "x", chunking: { size: 400, overlap: 300 } })).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(knowledge.createDocument(ws.owner, ws.workspaceId, { title: "Blank", text: "   " })).rejects.toMatchObject({ code: "invalid-argument" });
    // Search input is parsed once, at the operation's edge.
    const search = (raw: Record<string, unknown>) => invokeOperation(knowledgeOperations.searchDocuments, { knowledge }, ws.owner, { workspaceId: ws.workspaceId, ...raw });
    await expect(search({ query: "q".repeat(2001) })).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(search({ query: "q", topK: 21 })).rejects.toMatchObject({ code: "invalid-argument" });
    expect((await knowledge.listDocuments(ws.owner, ws.workspaceId)).items).toEqual([]);
  });

  it("lists documents newest first, a page at a time", async () => {
    const { knowledge, owner, workspaceId, docs } = await workspaceWithCorpus();

    const first = await knowledge.listDocuments(owner, workspaceId, 2);
    const second = await knowledge.listDocuments(owner, workspaceId, 2, first.nextCursor ?? undefined);

    expect([...first.items, ...second.items].map((d) => d.id)).toEqual([docs.cooking.id, docs.databases.id, docs.gardening.id]);
    expect(second.nextCursor).toBeNull();
  });

  it("lets a viewer read and search but not write", async () => {
    const { knowledge, workspaceId, docs, addMember } = await workspaceWithCorpus();
    const viewer = uniqueUid("viewer");
    await addMember(viewer, "viewer");

    expect((await knowledge.retrieve(userPrincipal(viewer), workspaceId, { query: "sourdough starter" }))[0]?.documentId).toBe(docs.cooking.id);
    await expect(knowledge.createDocument(userPrincipal(viewer), workspaceId, { title: "Nope", text: "text" })).rejects.toMatchObject({ code: "permission-denied" });
    await expect(knowledge.deleteDocument(userPrincipal(viewer), workspaceId, docs.cooking.id)).rejects.toMatchObject({ code: "permission-denied" });
  });

  describe("tenancy", () => {
    it("never lets workspace A's members or API keys see workspace B's documents or chunks", async () => {
      const a = await workspaceWithCorpus("a");
      const b = await workspaceWithCorpus("b");
      const secret = await b.knowledge.createDocument(b.owner, b.workspaceId, { title: "B only", text: "Zebra migration secrets of workspace B." });
      const keyOfA = { kind: "apiKey" as const, keyId: "k", workspaceId: a.workspaceId, scopes: ["documents:read" as const, "documents:write" as const], createdBy: a.ownerUid };

      await expect(a.knowledge.retrieve(a.owner, b.workspaceId, { query: "zebra migration" })).rejects.toMatchObject({ code: "not-found" });
      await expect(a.knowledge.retrieve(keyOfA, b.workspaceId, { query: "zebra migration" })).rejects.toMatchObject({ code: "not-found" });
      await expect(a.knowledge.getDocument(keyOfA, b.workspaceId, secret.id)).rejects.toMatchObject({ code: "not-found" });
      await expect(a.knowledge.getDocument(a.owner, a.workspaceId, secret.id)).rejects.toMatchObject({ code: "not-found" });
      await expect(a.knowledge.deleteDocument(keyOfA, a.workspaceId, secret.id)).rejects.toMatchObject({ code: "not-found" });

      const own = await a.knowledge.retrieve(keyOfA, a.workspaceId, { query: "zebra migration secrets", topK: 20 });
      const filtered = await a.knowledge.retrieve(a.owner, a.workspaceId, { query: "zebra migration secrets", documentIds: [secret.id] });
      expect(own.every((r) => [a.docs.gardening.id, a.docs.databases.id, a.docs.cooking.id].includes(r.documentId))).toBe(true);
      expect(filtered).toEqual([]);
      expect(await storedChunks(b.db, b.workspaceId, secret.id)).toHaveLength(1);
    });
  });
});
