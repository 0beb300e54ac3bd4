import { AggregateField } from "firebase-admin/firestore";
import { setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

describe("query explain", () => {
  let col: FirebaseFirestore.CollectionReference;
  beforeAll(async () => {
    col = ctx.db.collection(ctx.col());
    await Promise.all([1, 2, 3].map((n) => col.doc(`d${n}`).set({ n })));
  });

  it("explain() without analyze returns a plan summary and no results", async () => {
    const res = await col.where("n", ">", 1).explain({ analyze: false });
    expect(Array.isArray(res.metrics.planSummary.indexesUsed)).toBe(true);
    expect(res.metrics.executionStats).toBeNull();
    expect(res.snapshot).toBeNull();
  });

  it("explain({ analyze: true }) returns results and execution stats", async () => {
    const res = await col.where("n", ">", 1).explain({ analyze: true });
    expect(res.snapshot!.docs.map((d) => d.id)).toEqual(["d2", "d3"]);
    expect(res.metrics.executionStats!.resultsReturned).toBe(2);
    expect(Array.isArray(res.metrics.planSummary.indexesUsed)).toBe(true);
  });

  it("explainStream({ analyze: true }) delivers the metrics with the last document", async () => {
    const chunks: { id?: string; metrics: boolean }[] = [];
    await new Promise<void>((resolve, reject) => {
      col
        .where("n", ">", 1)
        .explainStream({ analyze: true })
        .on("data", (c: { document?: FirebaseFirestore.QueryDocumentSnapshot; metrics?: FirebaseFirestore.ExplainMetrics }) => {
          chunks.push({ id: c.document?.id, metrics: c.metrics !== undefined });
        })
        .on("error", reject)
        .on("end", resolve);
    });
    expect(chunks).toEqual([
      { id: "d2", metrics: false },
      { id: "d3", metrics: true },
    ]);
  });

  it("explainStream({ analyze: true }) on an empty result still delivers the metrics", async () => {
    const chunks: { id?: string; results?: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      col
        .where("n", ">", 10)
        .explainStream({ analyze: true })
        .on("data", (c: { document?: FirebaseFirestore.QueryDocumentSnapshot; metrics?: FirebaseFirestore.ExplainMetrics }) => {
          chunks.push({ id: c.document?.id, results: c.metrics?.executionStats?.resultsReturned });
        })
        .on("error", reject)
        .on("end", resolve);
    });
    expect(chunks).toEqual([{ id: undefined, results: 0 }]);
  });

  it("explain on an aggregation query returns the aggregate when analyzed", async () => {
    const res = await col.aggregate({ total: AggregateField.sum("n") }).explain({ analyze: true });
    expect(res.snapshot!.data().total).toBe(6);
    expect(res.metrics.executionStats!.resultsReturned).toBe(1);
  });

  it("explain on an aggregation query without analyze has no snapshot", async () => {
    const res = await col.count().explain();
    expect(res.snapshot).toBeNull();
    expect(Array.isArray(res.metrics.planSummary.indexesUsed)).toBe(true);
  });
});
