import { setupContext, uid, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

describe("collection group queries", () => {
  it("collectionGroup sees nested collections at every depth", async () => {
    const group = `g${uid()}`;
    await ctx.db.collection(group).doc("top").set({ v: 1 });
    await ctx.db.doc(`a/x/${group}/mid`).set({ v: 2 });
    await ctx.db.doc(`a/x/b/y/${group}/deep`).set({ v: 3 });
    await ctx.db.doc(`a/x/b/y/c/z/${group}/deeper`).set({ v: 4 });
    await ctx.db.doc(`a/x/other/y`).set({ v: 5 });
    const snap = await ctx.db.collectionGroup(group).get();
    expect(snap.docs.map((d) => d.id).sort()).toEqual(["deep", "deeper", "mid", "top"]);
  });

  it("collectionGroup supports filters and orderBy", async () => {
    const group = `g${uid()}`;
    await ctx.db.doc(`p1/a/${group}/x`).set({ n: 3 });
    await ctx.db.doc(`p2/b/${group}/y`).set({ n: 1 });
    await ctx.db.doc(`p3/c/${group}/z`).set({ n: 2 });
    const snap = await ctx.db.collectionGroup(group).where("n", ">=", 2).orderBy("n", "desc").get();
    expect(snap.docs.map((d) => d.ref.path)).toEqual([`p1/a/${group}/x`, `p3/c/${group}/z`]);
  });

  it("collectionGroup results are ordered by full path by default", async () => {
    const group = `g${uid()}`;
    await ctx.db.doc(`b/1/${group}/a`).set({});
    await ctx.db.doc(`a/2/${group}/z`).set({});
    await ctx.db.doc(`a/1/${group}/m`).set({});
    const snap = await ctx.db.collectionGroup(group).get();
    expect(snap.docs.map((d) => d.ref.path)).toEqual([`a/1/${group}/m`, `a/2/${group}/z`, `b/1/${group}/a`]);
  });

  it("collectionGroup does not match collections with a different id", async () => {
    const group = `g${uid()}`;
    await ctx.db.doc(`x/1/${group}x/a`).set({});
    await ctx.db.doc(`x/1/x${group}/b`).set({});
    expect((await ctx.db.collectionGroup(group).get()).size).toBe(0);
  });

  it("collectionGroup count aggregates across depths", async () => {
    const group = `g${uid()}`;
    await ctx.db.doc(`${group}/a`).set({});
    await ctx.db.doc(`r/1/${group}/b`).set({});
    await ctx.db.doc(`r/1/s/2/${group}/c`).set({});
    expect((await ctx.db.collectionGroup(group).count().get()).data().count).toBe(3);
  });

  it("collection group partitions cover every document", async () => {
    const group = `g${uid()}`;
    await Promise.all(Array.from({ length: 6 }, (_, i) => ctx.db.doc(`r/${i}/${group}/d${i}`).set({ i })));
    let total = 0;
    for await (const partition of ctx.db.collectionGroup(group).getPartitions(3)) {
      total += (await partition.toQuery().get()).size;
    }
    expect(total).toBe(6);
  });
});
