import { FieldValue } from "firebase-admin/firestore";
import { setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

const ids = (snap: FirebaseFirestore.VectorQuerySnapshot): string[] => snap.docs.map((d) => d.id);

describe("vector search (findNearest)", () => {
  let col: FirebaseFirestore.CollectionReference;
  beforeAll(async () => {
    col = ctx.db.collection(ctx.col());
    await Promise.all([
      col.doc("origin").set({ v: FieldValue.vector([0, 0]), kind: "a" }),
      col.doc("near").set({ v: FieldValue.vector([1, 0]), kind: "a" }),
      col.doc("mid").set({ v: FieldValue.vector([3, 4]), kind: "b" }),
      col.doc("far").set({ v: FieldValue.vector([10, 10]), kind: "a" }),
      col.doc("wrongdim").set({ v: FieldValue.vector([1, 1, 1]), kind: "a" }),
      col.doc("novector").set({ v: [1, 0], kind: "a" }),
      col.doc("missing").set({ kind: "a" }),
    ]);
  });

  it("findNearest with EUCLIDEAN orders by distance and honours limit", async () => {
    const snap = await col.findNearest({ vectorField: "v", queryVector: [0, 0], limit: 3, distanceMeasure: "EUCLIDEAN" }).get();
    expect(ids(snap)).toEqual(["origin", "near", "mid"]);
  });

  it("findNearest excludes documents without a vector of the right dimension", async () => {
    const snap = await col.findNearest({ vectorField: "v", queryVector: [0, 0], limit: 10, distanceMeasure: "EUCLIDEAN" }).get();
    expect(ids(snap).sort()).toEqual(["far", "mid", "near", "origin"]);
  });

  it("findNearest honours distanceThreshold", async () => {
    const snap = await col.findNearest({ vectorField: "v", queryVector: [0, 0], limit: 10, distanceMeasure: "EUCLIDEAN", distanceThreshold: 5 }).get();
    expect(ids(snap)).toEqual(["origin", "near", "mid"]);
  });

  it("findNearest writes the distance to distanceResultField", async () => {
    const snap = await col
      .findNearest({ vectorField: "v", queryVector: [0, 0], limit: 3, distanceMeasure: "EUCLIDEAN", distanceResultField: "dist" })
      .get();
    expect(snap.docs.map((d) => d.get("dist"))).toEqual([0, 1, 5]);
  });

  it("findNearest with COSINE ranks by angle", async () => {
    const snap = await col.findNearest({ vectorField: "v", queryVector: [1, 1], limit: 2, distanceMeasure: "COSINE" }).get();
    expect(ids(snap)[0]).toBe("far");
  });

  it("findNearest with DOT_PRODUCT ranks larger products first and thresholds from below", async () => {
    const snap = await col.findNearest({ vectorField: "v", queryVector: [1, 1], limit: 10, distanceMeasure: "DOT_PRODUCT", distanceThreshold: 1 }).get();
    expect(ids(snap)).toEqual(["far", "mid", "near"]);
  });

  it("findNearest combines with a where prefilter", async () => {
    const snap = await col.where("kind", "==", "a").findNearest({ vectorField: "v", queryVector: [3, 4], limit: 2, distanceMeasure: "EUCLIDEAN" }).get();
    expect(ids(snap)).toEqual(["near", "origin"]);
  });

  it("findNearest on a nested vector field", async () => {
    const nested = ctx.db.collection(ctx.col());
    await nested.doc("x").set({ e: { v: FieldValue.vector([1, 2]) } });
    await nested.doc("y").set({ e: { v: FieldValue.vector([9, 9]) } });
    const snap = await nested.findNearest({ vectorField: "e.v", queryVector: [1, 2], limit: 1, distanceMeasure: "EUCLIDEAN" }).get();
    expect(ids(snap)).toEqual(["x"]);
  });
});
