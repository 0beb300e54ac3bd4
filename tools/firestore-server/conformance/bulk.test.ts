import { Timestamp } from "firebase-admin/firestore";
import { setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

describe("BatchWrite: BulkWriter and recursiveDelete", () => {
  it("BulkWriter writes many documents", async () => {
    const col = ctx.db.collection(ctx.col());
    const writer = ctx.db.bulkWriter();
    for (let i = 0; i < 50; i++) void writer.set(col.doc(`d${i}`), { i });
    await writer.close();
    expect((await col.count().get()).data().count).toBe(50);
  });

  it("BulkWriter reports a failed write without failing the others", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("exists").set({ v: 1 });
    const writer = ctx.db.bulkWriter();
    writer.onWriteError(() => false);
    const ok = writer.set(col.doc("fine"), { v: 1 });
    const bad = writer.create(col.doc("exists"), { v: 2 });
    const missing = writer.update(col.doc("nope"), { v: 3 });
    await writer.close();
    const fine = await col.doc("fine").get();
    expect((await ok).writeTime.isEqual(fine.updateTime!)).toBe(true);
    await expect(bad).rejects.toMatchObject({ code: 6 });
    await expect(missing).rejects.toMatchObject({ code: 5 });
    expect((await col.doc("fine").get()).exists).toBe(true);
    expect((await col.doc("exists").get()).get("v")).toBe(1);
  });

  it("BulkWriter supports update and delete", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ v: 1 });
    await col.doc("b").set({ v: 1 });
    const writer = ctx.db.bulkWriter();
    void writer.update(col.doc("a"), { v: 2 });
    void writer.delete(col.doc("b"));
    await writer.close();
    expect((await col.doc("a").get()).get("v")).toBe(2);
    expect((await col.doc("b").get()).exists).toBe(false);
  });

  it("BulkWriter reports Timestamp(0, 0) as the write time of a delete", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ v: 1 });
    const writer = ctx.db.bulkWriter();
    const existing = writer.delete(col.doc("a"));
    const missing = writer.delete(col.doc("never-existed"));
    await writer.close();
    expect((await existing).writeTime.isEqual(new Timestamp(0, 0))).toBe(true);
    expect((await missing).writeTime.isEqual(new Timestamp(0, 0))).toBe(true);
  });

  it("recursiveDelete removes a collection with nested subcollections", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ v: 1 });
    await col.doc("a").collection("sub").doc("s1").set({ v: 2 });
    await col.doc("a").collection("sub").doc("s1").collection("deeper").doc("x").set({ v: 3 });
    await col.doc("missing-parent").collection("sub").doc("s2").set({ v: 4 });
    await ctx.db.recursiveDelete(col);
    expect((await col.get()).size).toBe(0);
    expect((await col.doc("a").collection("sub").get()).size).toBe(0);
    expect((await col.doc("a").collection("sub").doc("s1").collection("deeper").get()).size).toBe(0);
    expect((await col.doc("missing-parent").collection("sub").get()).size).toBe(0);
  });

  it("recursiveDelete on a document removes it and its subcollections only", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ v: 1 });
    await col.doc("a").collection("sub").doc("s").set({ v: 2 });
    await col.doc("b").set({ v: 3 });
    await ctx.db.recursiveDelete(col.doc("a"));
    expect((await col.doc("a").get()).exists).toBe(false);
    expect((await col.doc("a").collection("sub").get()).size).toBe(0);
    expect((await col.doc("b").get()).exists).toBe(true);
  });
});
