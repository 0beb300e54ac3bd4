import { randomUUID } from "node:crypto";
import { runQuery } from "../../src/lib/firestore-queries";
import { queryShape } from "../../src/lib/query-shapes";
import { testDb } from "../helpers/firestore";

// Against the local Firestore server: Query Explain is real there, so a "slow" query (threshold
// 0 ms) is logged with the plan and the documents scanned vs returned.
describe("runQuery against Firestore", () => {
  const db = testDb();
  const collection = `queryMonitor-${randomUUID().slice(0, 8)}`;
  const shape = queryShape({ name: "test.integration", collectionGroup: collection, equality: ["kind"], orderBy: [["n", "asc"]] });

  beforeAll(async () => {
    const batch = db.batch();
    for (let n = 0; n < 12; n++) batch.set(db.collection(collection).doc(`d${n}`), { kind: n % 3 === 0 ? "a" : "b", n, secret: `value-${n}` });
    await batch.commit();
  });

  afterAll(async () => {
    const docs = await db.collection(collection).listDocuments();
    await Promise.all(docs.map((doc) => doc.delete()));
  });

  it("returns the query's documents and logs a slow_query record with Explain's figures, never values", async () => {
    const records: { event: string; fields: Record<string, unknown> }[] = [];
    const log = { warn: (event: string, fields?: Record<string, unknown>) => records.push({ event, fields: fields ?? {} }), error: () => undefined };
    const snap = await runQuery(shape, db.collection(collection).where("kind", "==", "a").orderBy("n"), { log, slowMs: 0, explainEveryMs: 0 });
    expect(snap.docs.map((d) => d.get("n"))).toEqual([0, 3, 6, 9]);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record?.event).toBe("slow_query");
    expect(record?.fields).toMatchObject({ query: "test.integration", collectionGroup: collection, thresholdMs: 0, documentsReturned: 4 });
    expect(Array.isArray(record?.fields.indexesUsed)).toBe(true);
    expect(JSON.stringify(record)).not.toMatch(/value-|"a"/);
  });

  it("explains an aggregation too", async () => {
    const records: Record<string, unknown>[] = [];
    const log = { warn: (_event: string, fields?: Record<string, unknown>) => records.push(fields ?? {}), error: () => undefined };
    const count = await runQuery(shape, db.collection(collection).where("kind", "==", "b").count(), { log, slowMs: 0, explainEveryMs: 0 });
    expect(count.data().count).toBe(8);
    expect(records[0]).toMatchObject({ query: "test.integration" });
  });
});
