import { type Firestore as GcFirestore, FieldValue } from "@google-cloud/firestore";
import type { Firestore } from "firebase-admin/firestore";
import { setupContext, sleep, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

async function incrementLoop(db: Firestore | GcFirestore, path: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await db.runTransaction(async (t) => {
      const ref = db.doc(path);
      const snap = await t.get(ref);
      t.set(ref, { n: ((snap.get("n") as number | undefined) ?? 0) + 1 });
    });
  }
}

describe("transactions", () => {
  it("a read-modify-write transaction commits", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("c");
    await ref.set({ n: 1 });
    const result = await ctx.db.runTransaction(async (t) => {
      const snap = await t.get(ref);
      t.update(ref, { n: snap.get("n") + 1 });
      return "done";
    });
    expect(result).toBe("done");
    expect((await ref.get()).get("n")).toBe(2);
  });

  it("transactions under contention do not lose updates: 2 clients x 50 increments give exactly 100", async () => {
    const path = `${ctx.col()}/counter`;
    const other = ctx.second();
    await ctx.db.doc(path).set({ n: 0 });
    const started = Date.now();
    await Promise.all([incrementLoop(ctx.db, path, 50), incrementLoop(other, path, 50)]);
    console.log(`2 clients x 50 transactional increments: ${Date.now() - started} ms`);
    expect((await ctx.db.doc(path).get()).get("n")).toBe(100);
  });

  it("10 concurrent transactions each incrementing one counter all apply", async () => {
    const path = `${ctx.col()}/counter`;
    await ctx.db.doc(path).set({ n: 0 });
    await Promise.all(Array.from({ length: 10 }, () => incrementLoop(ctx.db, path, 1)));
    expect((await ctx.db.doc(path).get()).get("n")).toBe(10);
  });

  it("concurrent transactions moving value between two documents keep the total", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ v: 50 });
    await col.doc("b").set({ v: 50 });
    const transfer = (from: string, to: string) =>
      ctx.db.runTransaction(async (t) => {
        const [f, g] = await t.getAll(col.doc(from), col.doc(to));
        t.update(col.doc(from), { v: f!.get("v") - 1 });
        t.update(col.doc(to), { v: g!.get("v") + 1 });
      });
    await Promise.all([...Array.from({ length: 5 }, () => transfer("a", "b")), ...Array.from({ length: 5 }, () => transfer("b", "a"))]);
    const [a, b] = await ctx.db.getAll(col.doc("a"), col.doc("b"));
    expect(a!.get("v") + b!.get("v")).toBe(100);
  });

  it("BeginTransaction ids are unique", async () => {
    // Each transaction returns its own id through the read that started it; concurrent readers
    // of different documents must not share ids (a shared id would merge their locks/writes).
    const col = ctx.db.collection(ctx.col());
    const ids = new Set<string>();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ctx.db.runTransaction(async (t) => {
          await t.get(col.doc(`d${i}`));
          t.set(col.doc(`d${i}`), { i });
          ids.add(String(i));
        }),
      ),
    );
    expect(ids.size).toBe(20);
    expect((await col.get()).size).toBe(20);
  });

  it("a transaction reading a missing document can create it", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("new");
    await ctx.db.runTransaction(async (t) => {
      const snap = await t.get(ref);
      expect(snap.exists).toBe(false);
      t.create(ref, { created: true });
    });
    expect((await ref.get()).get("created")).toBe(true);
  });

  it("a transaction can read a query and write based on it", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ n: 1 });
    await col.doc("b").set({ n: 2 });
    await ctx.db.runTransaction(async (t) => {
      const snap = await t.get(col.where("n", ">", 0));
      t.set(col.doc("sum"), { total: snap.docs.reduce((s, d) => s + (d.get("n") as number), 0) });
    });
    expect((await col.doc("sum").get()).get("total")).toBe(3);
  });

  it("an error thrown in the update function rolls back and writes nothing", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("x");
    await expect(
      ctx.db.runTransaction(async (t) => {
        await t.get(ref);
        t.set(ref, { v: 1 });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect((await ref.get()).exists).toBe(false);
  });

  it("a failed precondition inside a transaction is reported and applies nothing", async () => {
    const col = ctx.db.collection(ctx.col());
    await expect(
      ctx.db.runTransaction(async (t) => {
        await t.get(col.doc("a"));
        t.set(col.doc("a"), { v: 1 });
        t.update(col.doc("missing"), { v: 1 });
      }),
    ).rejects.toMatchObject({ code: 5 });
    expect((await col.doc("a").get()).exists).toBe(false);
  });

  it("a transaction after a concurrent outside write sees the new value", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("c");
    await ref.set({ n: 0 });
    let attempts = 0;
    await ctx.db.runTransaction(async (t) => {
      attempts++;
      const snap = await t.get(ref);
      if (attempts === 1) await ctx.second().doc(ref.path).set({ n: 10 });
      t.set(ref, { n: snap.get("n") + 1 });
    });
    expect((await ref.get()).get("n")).toBe(11);
  });

  it("a readOnly transaction reads documents", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("r");
    await ref.set({ v: 1 });
    const v = await ctx.db.runTransaction(async (t) => (await t.get(ref)).get("v"), { readOnly: true });
    expect(v).toBe(1);
  });

  it("a readOnly transaction with readTime sees the data as of that time", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("r");
    const w = await ref.set({ v: 1 });
    await sleep(5);
    await ref.set({ v: 2 });
    const v = await ctx.db.runTransaction(async (t) => (await t.get(ref)).get("v"), { readOnly: true, readTime: w.writeTime });
    expect(v).toBe(1);
  });

  it("a readOnly transaction cannot write", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("r");
    await expect(
      ctx.db.runTransaction(
        async (t) => {
          t.set(ref, { v: 1 });
        },
        { readOnly: true },
      ),
    ).rejects.toThrow();
  });

  it("a write-only transaction commits atomically", async () => {
    const col = ctx.db.collection(ctx.col());
    await ctx.db.runTransaction(async (t) => {
      t.set(col.doc("a"), { v: 1 });
      t.set(col.doc("b"), { v: FieldValue.increment(2) });
    });
    expect((await col.get()).size).toBe(2);
  });

  it("getAll inside a transaction returns missing documents too", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ v: 1 });
    const exists = await ctx.db.runTransaction(async (t) => (await t.getAll(col.doc("a"), col.doc("b"))).map((s) => s.exists));
    expect(exists).toEqual([true, false]);
  });

  it("a document read at an explicit readTime returns its old version", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("r");
    const w = await ref.set({ v: "old" });
    await sleep(5);
    await ref.set({ v: "new" });
    const [snap] = await ctx.db.runTransaction((t) => t.getAll(ref), { readOnly: true, readTime: w.writeTime });
    expect(snap!.get("v")).toBe("old");
    expect(snap!.readTime.isEqual(w.writeTime)).toBe(true);
    expect(snap!.updateTime!.isEqual(w.writeTime)).toBe(true);
  });
});
