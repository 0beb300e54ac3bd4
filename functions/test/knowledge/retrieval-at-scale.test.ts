import { randomUUID } from "node:crypto";
import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { distinctTerms } from "../../src/knowledge/lexical";
import { chunkId, chunksPath, documentPath } from "../../src/knowledge/knowledge-records";
import { createRetriever, LEXICAL_CANDIDATES } from "../../src/knowledge/retrieval";
import { embedText } from "../../src/providers/local-embedding";
import { createLocalProvider } from "../../src/providers/local-provider";
import { testDb } from "../helpers/firestore";

// More chunks share a query term than one capped query returns, and the chunk holding the rare
// term sorts after all of them by id and is far from the query in vector space: neither a capped
// `array-contains-any` nor the nearest neighbours would ever see it.
describe("lexical candidates when a workspace has more term matches than the cap", () => {
  const db = testDb();
  const workspaceId = `scale-${randomUUID().slice(0, 8)}`;
  const common = "Shipping orders ships shipping deliveries in every region.";
  const answer = `Starter care. ${Array.from({ length: 60 }, (_, i) => `word${i}x`).join(" ")}.`;

  beforeAll(async () => {
    const now = Timestamp.now();
    const batch = db.batch();
    const write = (documentId: string, title: string, texts: string[]) => {
      batch.set(db.doc(documentPath(workspaceId, documentId)), { title, activeGeneration: 1 }, { merge: true });
      texts.forEach((text, index) =>
        batch.set(db.doc(`${chunksPath(workspaceId)}/${chunkId(documentId, 1, index)}`), {
          documentId,
          generation: 1,
          index,
          text,
          headingPath: [],
          terms: distinctTerms(text),
          createdAt: now,
          embedding: FieldValue.vector(embedText(text)),
        }),
      );
    };
    write("a-shipping", "Shipping", Array.from({ length: LEXICAL_CANDIDATES + 20 }, () => common));
    write("z-sourdough", "Sourdough", [answer]);
    await batch.commit();
  });

  afterAll(async () => {
    await db.recursiveDelete(db.doc(`workspaces/${workspaceId}`));
  });

  it("still finds the chunk with the rare term, through per-term reads", async () => {
    const retriever = createRetriever({ db, provider: createLocalProvider() });
    const hits = await retriever.retrieve(workspaceId, { query: "shipping starter", topK: 100 });
    expect(hits.map((h) => h.documentId)).toContain("z-sourdough");
  });
});
