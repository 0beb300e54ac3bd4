import { setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

describe("ListDocuments and ListCollectionIds", () => {
  it("listDocuments() returns every document reference including ones that only have subcollections", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ v: 1 });
    await col.doc("b").set({ v: 2 });
    await col.doc("ghost").collection("sub").doc("x").set({ v: 3 });
    const refs = await col.listDocuments();
    expect(refs.map((r) => r.id).sort()).toEqual(["a", "b", "ghost"]);
  });

  it("listDocuments() pages through large collections", async () => {
    const col = ctx.db.collection(ctx.col());
    await Promise.all(Array.from({ length: 450 }, (_, i) => col.doc(`d${String(i).padStart(3, "0")}`).set({ i })));
    const refs = await col.listDocuments();
    expect(refs).toHaveLength(450);
    expect(new Set(refs.map((r) => r.id)).size).toBe(450);
  });

  it("listDocuments() of an empty collection is empty", async () => {
    expect(await ctx.db.collection(ctx.col()).listDocuments()).toEqual([]);
  });

  it("listCollections() of a document lists its subcollections", async () => {
    const doc = ctx.db.collection(ctx.col()).doc("p");
    await doc.collection("beta").doc("x").set({});
    await doc.collection("alpha").doc("y").set({});
    await doc.collection("gamma").doc("z").collection("deep").doc("w").set({});
    const cols = await doc.listCollections();
    expect(cols.map((c) => c.id)).toEqual(["alpha", "beta", "gamma"]);
  });

  it("listCollections() of the database root lists top-level collections", async () => {
    const other = setupContext();
    try {
      await other.db.collection("zeta").doc("a").set({});
      await other.db.collection("eta").doc("b").collection("sub").doc("c").set({});
      await other.db.doc("ghost/x/inner/y").set({});
      const cols = await other.db.listCollections();
      expect(cols.map((c) => c.id)).toEqual(["eta", "ghost", "zeta"]);
    } finally {
      await other.close();
    }
  });

  it("listCollections() omits collections whose documents were all deleted", async () => {
    const doc = ctx.db.collection(ctx.col()).doc("p");
    await doc.collection("keep").doc("x").set({});
    await doc.collection("gone").doc("y").set({});
    await doc.collection("gone").doc("y").delete();
    expect((await doc.listCollections()).map((c) => c.id)).toEqual(["keep"]);
  });
});
