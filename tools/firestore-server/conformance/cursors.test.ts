import { FieldPath } from "firebase-admin/firestore";
import { setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

const ids = (snap: FirebaseFirestore.QuerySnapshot): string[] => snap.docs.map((d) => d.id);

describe("cursors and pagination", () => {
  let col: FirebaseFirestore.CollectionReference;
  beforeAll(async () => {
    col = ctx.db.collection(ctx.col());
    await Promise.all([1, 2, 3, 4, 5].map((n) => col.doc(`d${n}`).set({ n, group: n % 2 })));
  });

  it("startAt includes the cursor value", async () => {
    expect(ids(await col.orderBy("n").startAt(3).get())).toEqual(["d3", "d4", "d5"]);
  });

  it("startAfter excludes the cursor value", async () => {
    expect(ids(await col.orderBy("n").startAfter(3).get())).toEqual(["d4", "d5"]);
  });

  it("endAt includes the cursor value", async () => {
    expect(ids(await col.orderBy("n").endAt(2).get())).toEqual(["d1", "d2"]);
  });

  it("endBefore excludes the cursor value", async () => {
    expect(ids(await col.orderBy("n").endBefore(2).get())).toEqual(["d1"]);
  });

  it("startAt and endBefore combine", async () => {
    expect(ids(await col.orderBy("n").startAt(2).endBefore(5).get())).toEqual(["d2", "d3", "d4"]);
  });

  it("cursors follow descending order", async () => {
    expect(ids(await col.orderBy("n", "desc").startAfter(4).endAt(2).get())).toEqual(["d3", "d2"]);
  });

  it("startAfter a document snapshot uses its order values and id", async () => {
    const snap = await col.doc("d2").get();
    expect(ids(await col.orderBy("group").startAfter(snap).get())).toEqual(["d4", "d1", "d3", "d5"]);
  });

  it("cursors on several order fields", async () => {
    expect(ids(await col.orderBy("group").orderBy("n").startAt(1, 3).get())).toEqual(["d3", "d5"]);
  });

  it("cursors on documentId", async () => {
    expect(ids(await col.orderBy(FieldPath.documentId()).startAfter("d3").get())).toEqual(["d4", "d5"]);
  });

  it("offset skips documents", async () => {
    expect(ids(await col.orderBy("n").offset(2).get())).toEqual(["d3", "d4", "d5"]);
    expect(ids(await col.orderBy("n").offset(1).limit(2).get())).toEqual(["d2", "d3"]);
  });

  it("offset beyond the result is empty", async () => {
    expect((await col.offset(10).get()).size).toBe(0);
  });

  it("limitToLast with cursors returns the tail of the window", async () => {
    expect(ids(await col.orderBy("n").endBefore(5).limitToLast(2).get())).toEqual(["d3", "d4"]);
  });

  it("a paging loop with startAfter terminates and visits each document once", async () => {
    const big = ctx.db.collection(ctx.col());
    await Promise.all(Array.from({ length: 23 }, (_, i) => big.doc(`p${String(i).padStart(2, "0")}`).set({ i })));
    const seen: string[] = [];
    let last: FirebaseFirestore.QueryDocumentSnapshot | undefined;
    for (let pages = 0; pages < 20; pages++) {
      let q = big.orderBy("i").limit(5);
      if (last) q = q.startAfter(last);
      const snap = await q.get();
      if (snap.empty) break;
      seen.push(...ids(snap));
      last = snap.docs[snap.docs.length - 1];
    }
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
  });

  it("paging by document id with startAfter(id) visits every document once", async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      let q = col.orderBy(FieldPath.documentId()).limit(2);
      if (after) q = q.startAfter(after);
      const snap = await q.get();
      if (snap.empty) break;
      seen.push(...ids(snap));
      after = snap.docs[snap.docs.length - 1]!.id;
    }
    expect(seen).toEqual(["d1", "d2", "d3", "d4", "d5"]);
  });

  it("Query.stream() yields every document", async () => {
    const streamed: string[] = [];
    for await (const d of col.orderBy("n").stream()) streamed.push((d as unknown as FirebaseFirestore.QueryDocumentSnapshot).id);
    expect(streamed).toEqual(["d1", "d2", "d3", "d4", "d5"]);
  });
});
