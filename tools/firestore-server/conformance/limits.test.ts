import { setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

describe("limits", () => {
  it("documents over 1 MiB are rejected with INVALID_ARGUMENT", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("big");
    await expect(ref.set({ s: "x".repeat(1_048_576) })).rejects.toMatchObject({ code: 3 });
    expect((await ref.get()).exists).toBe(false);
  });

  it("a document just under 1 MiB is accepted", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("big");
    await ref.set({ s: "x".repeat(1_040_000) });
    expect(((await ref.get()).get("s") as string).length).toBe(1_040_000);
  });

  it("an update that grows a document past 1 MiB is rejected and leaves it unchanged", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("grow");
    await ref.set({ a: "x".repeat(600_000) });
    await expect(ref.update({ b: "y".repeat(600_000) })).rejects.toMatchObject({ code: 3 });
    expect((await ref.get()).get("b")).toBeUndefined();
  });

  it("an oversized document in a batch fails the whole batch", async () => {
    const col = ctx.db.collection(ctx.col());
    const batch = ctx.db.batch();
    batch.set(col.doc("small"), { v: 1 });
    batch.set(col.doc("huge"), { s: "x".repeat(1_100_000) });
    await expect(batch.commit()).rejects.toMatchObject({ code: 3 });
    expect((await col.doc("small").get()).exists).toBe(false);
  });
});
