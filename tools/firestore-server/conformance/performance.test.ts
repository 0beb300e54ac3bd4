import { median, setupContext, waitFor, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

describe("performance", () => {
  it("10k documents written in batches of 500 take seconds, not minutes", async () => {
    const col = ctx.db.collection(ctx.col());
    const started = Date.now();
    const perBatch: number[] = [];
    for (let b = 0; b < 20; b++) {
      const t0 = Date.now();
      const batch = ctx.db.batch();
      for (let i = 0; i < 500; i++) batch.set(col.doc(`d${b}-${i}`), { b, i, text: "lorem ipsum dolor sit amet", tags: ["a", "b"] });
      await batch.commit();
      perBatch.push(Date.now() - t0);
    }
    const total = Date.now() - started;
    console.log(`10k docs in 20 batches of 500: ${total} ms (first batch ${perBatch[0]} ms, last ${perBatch[19]} ms)`);
    expect(total).toBeLessThan(30_000);
    expect((await col.count().get()).data().count).toBe(10_000);
  });

  it("an unrelated write with 20 listeners open stays fast", async () => {
    const unsubs: (() => void)[] = [];
    for (let i = 0; i < 20; i++) {
      const col = ctx.db.collection(ctx.col("listened"));
      await col.doc("seed").set({ i });
      const w = waitFor<FirebaseFirestore.QuerySnapshot>(() => true);
      unsubs.push(col.where("i", ">=", 0).onSnapshot((s) => w.push(s)));
      await w.done;
    }
    const target = ctx.db.collection(ctx.col("unrelated")).doc("x");
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      await target.set({ i });
      times.push(performance.now() - t0);
    }
    const med = median(times);
    console.log(`write latency with 20 listeners open: median ${med.toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms`);
    unsubs.forEach((u) => u());
    expect(med).toBeLessThan(200);
  });
});
