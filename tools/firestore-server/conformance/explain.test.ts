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

  it("explain on an aggregation query returns the aggregate when analyzed", async () => {
    const res = await col.aggregate({ total: AggregateField.sum("n") }).explain({ analyze: true });
    expect(res.snapshot!.data().total).toBe(6);
    expect(res.metrics.executionStats).not.toBeNull();
  });

  it("explain on an aggregation query without analyze has no snapshot", async () => {
    const res = await col.count().explain();
    expect(res.snapshot).toBeNull();
    expect(Array.isArray(res.metrics.planSummary.indexesUsed)).toBe(true);
  });
});
