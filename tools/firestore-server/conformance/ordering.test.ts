import { FieldPath, FieldValue, GeoPoint, Timestamp } from "firebase-admin/firestore";
import { setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

const ids = (snap: FirebaseFirestore.QuerySnapshot): string[] => snap.docs.map((d) => d.id);

describe("query ordering", () => {
  it("default order is by document id, not insertion order", async () => {
    const col = ctx.db.collection(ctx.col());
    for (const id of ["m", "b", "z", "a", "k"]) await col.doc(id).set({ v: 1 });
    expect(ids(await col.get())).toEqual(["a", "b", "k", "m", "z"]);
  });

  it("orderBy sorts ascending and descending", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ n: 3 });
    await col.doc("b").set({ n: 1 });
    await col.doc("c").set({ n: 2 });
    expect(ids(await col.orderBy("n").get())).toEqual(["b", "c", "a"]);
    expect(ids(await col.orderBy("n", "desc").get())).toEqual(["a", "c", "b"]);
  });

  it("orderBy excludes documents missing the ordered field", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ n: 1 });
    await col.doc("b").set({ other: 1 });
    await col.doc("c").set({ n: null });
    expect(ids(await col.orderBy("n").get())).toEqual(["c", "a"]);
  });

  it("ties are broken by document id in the direction of the last order", async () => {
    const col = ctx.db.collection(ctx.col());
    for (const id of ["b", "a", "c"]) await col.doc(id).set({ n: 1 });
    expect(ids(await col.orderBy("n").get())).toEqual(["a", "b", "c"]);
    expect(ids(await col.orderBy("n", "desc").get())).toEqual(["c", "b", "a"]);
  });

  it("values of different types sort in Firestore's cross-type order", async () => {
    const col = ctx.db.collection(ctx.col());
    const values: [string, unknown][] = [
      ["01-null", null],
      ["02-false", false],
      ["03-true", true],
      ["04-nan", NaN],
      ["05-neg", -10],
      ["06-int", 1],
      ["07-double", 1.5],
      ["08-ts", new Timestamp(100, 0)],
      ["09-str", "abc"],
      ["10-bytes", Buffer.from([1])],
      ["11-ref", col.doc("x")],
      ["12-geo", new GeoPoint(1, 1)],
      ["13-arr", [1]],
      ["14-vec", FieldValue.vector([1])],
      ["15-map", { a: 1 }],
    ];
    for (const [id, v] of [...values].reverse()) await col.doc(id).set({ v });
    expect(ids(await col.orderBy("v").get())).toEqual(values.map(([id]) => id));
  });

  it("integers and doubles compare numerically", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ n: 2 });
    await col.doc("b").set({ n: 1.5 });
    await col.doc("c").set({ n: 3.25 });
    await col.doc("d").set({ n: -0.5 });
    await col.doc("e").set({ n: 10 });
    expect(ids(await col.orderBy("n").get())).toEqual(["d", "b", "a", "c", "e"]);
  });

  it("int and double equal values match each other in equality filters", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("int").set({ n: 1 });
    // The SDK encodes integral numbers as integers; two double increments leave a double 1.0.
    await col.doc("dbl").set({ n: 0.5 });
    await col.doc("dbl").update({ n: FieldValue.increment(0.5) });
    await col.doc("two").set({ n: 2.5 });
    expect(ids(await col.where("n", "==", 1).get()).sort()).toEqual(["dbl", "int"]);
    expect(ids(await col.where("n", "==", 1.0).orderBy("n").get()).sort()).toEqual(["dbl", "int"]);
  });

  it("strings sort by UTF-8 bytes", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ s: "a" });
    await col.doc("b").set({ s: "B" });
    await col.doc("c").set({ s: "é" });
    await col.doc("d").set({ s: "😀" });
    await col.doc("e").set({ s: "\uffff" });
    expect(ids(await col.orderBy("s").get())).toEqual(["b", "a", "c", "e", "d"]);
  });

  it("an inequality filter without orderBy is sorted by that field", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ n: 3 });
    await col.doc("b").set({ n: 1 });
    await col.doc("c").set({ n: 2 });
    expect(ids(await col.where("n", ">", 0).get())).toEqual(["b", "c", "a"]);
  });

  it("multiple orderBy clauses sort lexicographically", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ x: 1, y: 2 });
    await col.doc("b").set({ x: 1, y: 1 });
    await col.doc("c").set({ x: 0, y: 9 });
    expect(ids(await col.orderBy("x").orderBy("y", "desc").get())).toEqual(["c", "a", "b"]);
  });

  it("orderBy a nested field path works", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ m: { n: 2 } });
    await col.doc("b").set({ m: { n: 1 } });
    await col.doc("c").set({ m: {} });
    expect(ids(await col.orderBy("m.n").get())).toEqual(["b", "a"]);
  });

  it("orderBy documentId descending", async () => {
    const col = ctx.db.collection(ctx.col());
    for (const id of ["a", "b", "c"]) await col.doc(id).set({});
    expect(ids(await col.orderBy(FieldPath.documentId(), "desc").get())).toEqual(["c", "b", "a"]);
  });

  it("limit returns the first documents in order", async () => {
    const col = ctx.db.collection(ctx.col());
    for (let i = 0; i < 5; i++) await col.doc(`d${i}`).set({ i });
    expect(ids(await col.orderBy("i", "desc").limit(2).get())).toEqual(["d4", "d3"]);
  });

  it("limitToLast returns the last documents in query order", async () => {
    const col = ctx.db.collection(ctx.col());
    for (let i = 0; i < 5; i++) await col.doc(`d${i}`).set({ i });
    expect(ids(await col.orderBy("i").limitToLast(2).get())).toEqual(["d3", "d4"]);
  });

  it("select() returns only the selected fields", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ x: 1, y: 2, m: { p: 1, q: 2 } });
    const snap = await col.select("x", "m.p").get();
    expect(snap.docs[0]!.data()).toEqual({ x: 1, m: { p: 1 } });
  });

  it("select() with no fields returns document names only", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ x: 1 });
    await col.doc("b").set({ x: 2 });
    const snap = await col.select().get();
    expect(ids(snap)).toEqual(["a", "b"]);
    expect(snap.docs[0]!.data()).toEqual({});
  });

  it("queries on a collection do not include documents of subcollections", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ v: 1 });
    await col.doc("a").collection(col.id).doc("nested").set({ v: 2 });
    expect(ids(await col.get())).toEqual(["a"]);
  });
});
