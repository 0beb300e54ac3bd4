import { FieldPath, Filter } from "firebase-admin/firestore";
import { setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

const ids = (snap: FirebaseFirestore.QuerySnapshot): string[] => snap.docs.map((d) => d.id).sort();

async function seed(): Promise<FirebaseFirestore.CollectionReference> {
  const col = ctx.db.collection(ctx.col());
  await Promise.all([
    col.doc("a").set({ n: 1, s: "x", tags: ["red", "blue"], m: { k: 1 } }),
    col.doc("b").set({ n: 2, s: "y", tags: ["green"], m: { k: 2 } }),
    col.doc("c").set({ n: 3, s: "z", tags: [], m: { k: 3 } }),
    col.doc("d").set({ n: null, s: 5 }),
    col.doc("e").set({ n: NaN }),
    col.doc("f").set({ other: true }),
    col.doc("g").set({ n: "2" }),
  ]);
  return col;
}

describe("query filters", () => {
  let col: FirebaseFirestore.CollectionReference;
  beforeAll(async () => {
    col = await seed();
  });

  it("== matches equal values", async () => {
    expect(ids(await col.where("n", "==", 2).get())).toEqual(["b"]);
  });

  it("== null matches only null values", async () => {
    expect(ids(await col.where("n", "==", null).get())).toEqual(["d"]);
  });

  it("!= null matches documents with a non-null value", async () => {
    expect(ids(await col.where("n", "!=", null).get())).toEqual(["a", "b", "c", "e", "g"]);
  });

  it("== NaN matches NaN values", async () => {
    expect(ids(await col.where("n", "==", NaN).get())).toEqual(["e"]);
  });

  it("!= excludes documents missing the field and null", async () => {
    expect(ids(await col.where("n", "!=", 2).get())).toEqual(["a", "c", "e", "g"]);
  });

  it("range filters are bounded to the operand's type (x > 1 never matches strings)", async () => {
    expect(ids(await col.where("n", ">", 1).get())).toEqual(["b", "c"]);
    expect(ids(await col.where("n", ">=", "0").get())).toEqual(["g"]);
  });

  it("< and <= work", async () => {
    expect(ids(await col.where("n", "<", 3).get())).toEqual(["a", "b"]);
    expect(ids(await col.where("n", "<=", 3).get())).toEqual(["a", "b", "c"]);
  });

  it("in matches any of the values", async () => {
    expect(ids(await col.where("n", "in", [1, 3, "2"]).get())).toEqual(["a", "c", "g"]);
  });

  it("not-in excludes the values, missing fields and null", async () => {
    expect(ids(await col.where("n", "not-in", [1, 2]).get())).toEqual(["c", "e", "g"]);
  });

  it("not-in with null in the list matches no document", async () => {
    expect(ids(await col.where("n", "not-in", [null]).get())).toEqual([]);
    expect(ids(await col.where("n", "not-in", [1, null]).get())).toEqual([]);
  });

  it("array-contains matches arrays holding the value", async () => {
    expect(ids(await col.where("tags", "array-contains", "blue").get())).toEqual(["a"]);
  });

  it("array-contains-any matches arrays holding any of the values", async () => {
    expect(ids(await col.where("tags", "array-contains-any", ["green", "red"]).get())).toEqual(["a", "b"]);
  });

  it("filters on nested field paths work", async () => {
    expect(ids(await col.where("m.k", ">=", 2).get())).toEqual(["b", "c"]);
    expect(ids(await col.where(new FieldPath("m", "k"), "==", 1).get())).toEqual(["a"]);
  });

  it("several where clauses combine with AND", async () => {
    expect(ids(await col.where("n", ">", 1).where("s", "==", "z").get())).toEqual(["c"]);
  });

  it("Filter.or matches either branch", async () => {
    expect(ids(await col.where(Filter.or(Filter.where("n", "==", 1), Filter.where("s", "==", "z"))).get())).toEqual(["a", "c"]);
  });

  it("nested Filter.or(Filter.and(...)) works", async () => {
    const q = col.where(
      Filter.or(Filter.and(Filter.where("n", ">=", 2), Filter.where("s", "==", "y")), Filter.and(Filter.where("s", "==", "x"), Filter.where("n", "==", 1))),
    );
    expect(ids(await q.get())).toEqual(["a", "b"]);
  });

  it("Filter.and(Filter.or(...), ...) works", async () => {
    const q = col.where(Filter.and(Filter.or(Filter.where("n", "==", 1), Filter.where("n", "==", 3)), Filter.where("s", "in", ["z", "y"])));
    expect(ids(await q.get())).toEqual(["c"]);
  });

  it("a filter on documentId matches by reference", async () => {
    expect(ids(await col.where(FieldPath.documentId(), "==", col.doc("b")).get())).toEqual(["b"]);
    expect(ids(await col.where(FieldPath.documentId(), "in", ["a", "c"]).get())).toEqual(["a", "c"]);
  });

  it("a range on documentId selects an id range", async () => {
    expect(ids(await col.where(FieldPath.documentId(), ">=", "b").where(FieldPath.documentId(), "<", "d").get())).toEqual(["b", "c"]);
  });

  it("equality on a map value matches the whole map", async () => {
    expect(ids(await col.where("m", "==", { k: 2 }).get())).toEqual(["b"]);
  });

  it("equality on an array matches the whole array", async () => {
    expect(ids(await col.where("tags", "==", ["green"]).get())).toEqual(["b"]);
  });

  it("inequalities on two different fields are supported", async () => {
    expect(ids(await col.where("n", ">", 1).where("s", "<", "z").get())).toEqual(["b"]);
  });
});
