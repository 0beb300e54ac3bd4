import { AggregateField } from "firebase-admin/firestore";
import { setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

describe("aggregation queries", () => {
  let col: FirebaseFirestore.CollectionReference;
  beforeAll(async () => {
    col = ctx.db.collection(ctx.col());
    await Promise.all([
      col.doc("a").set({ n: 1, d: 1.5, m: { v: 10 }, kind: "x" }),
      col.doc("b").set({ n: 2, d: 2.5, m: { v: 20 }, kind: "x" }),
      col.doc("c").set({ n: 3, m: { v: "text" }, kind: "y" }),
      col.doc("d").set({ n: "not a number", kind: "y" }),
      col.doc("e").set({ kind: "z" }),
    ]);
  });

  it("count() counts the query's documents", async () => {
    expect((await col.count().get()).data().count).toBe(5);
    expect((await col.where("kind", "==", "x").count().get()).data().count).toBe(2);
  });

  it("count() honours limit", async () => {
    expect((await col.limit(3).count().get()).data().count).toBe(3);
  });

  it("count() of an empty query is 0", async () => {
    expect((await ctx.db.collection(ctx.col()).count().get()).data().count).toBe(0);
  });

  it("sum of integers stays an integer and ignores non-numeric values", async () => {
    const res = await col.aggregate({ total: AggregateField.sum("n") }).get();
    expect(res.data().total).toBe(6);
  });

  it("sum mixing doubles gives a double", async () => {
    const res = await col.aggregate({ total: AggregateField.sum("d") }).get();
    expect(res.data().total).toBe(4);
  });

  it("average ignores docs missing the field and non-numeric values", async () => {
    const res = await col.aggregate({ avg: AggregateField.average("n") }).get();
    expect(res.data().avg).toBe(2);
  });

  it("average of a field no document has is null", async () => {
    const res = await col.aggregate({ avg: AggregateField.average("nothing") }).get();
    expect(res.data().avg).toBeNull();
  });

  it("sum of a field no document has is 0", async () => {
    const res = await col.aggregate({ s: AggregateField.sum("nothing") }).get();
    expect(res.data().s).toBe(0);
  });

  it("sum and average work on nested field paths", async () => {
    const res = await col.aggregate({ s: AggregateField.sum("m.v"), a: AggregateField.average("m.v") }).get();
    expect(res.data().s).toBe(30);
    expect(res.data().a).toBe(15);
  });

  it("several aggregations in one query include only documents having every aggregated field", async () => {
    // Of a, b, c, d (kind x or y) only a and b have both n and d.
    const res = await col.where("kind", "in", ["x", "y"]).aggregate({ c: AggregateField.count(), s: AggregateField.sum("n"), a: AggregateField.average("d") }).get();
    expect(res.data()).toEqual({ c: 2, s: 3, a: 2 });
  });

  it("count next to a sum counts documents holding the summed field, non-numeric values included", async () => {
    // a, b, c, d have n (d's is a string: ignored by the sum, counted by count); e has none.
    const res = await col.aggregate({ c: AggregateField.count(), s: AggregateField.sum("n") }).get();
    expect(res.data()).toEqual({ c: 4, s: 6 });
    expect((await col.count().get()).data().count).toBe(5);
  });

  it("aggregations inside a transaction", async () => {
    const c = await ctx.db.runTransaction(async (t) => (await t.get(col.count())).data().count);
    expect(c).toBe(5);
  });
});
