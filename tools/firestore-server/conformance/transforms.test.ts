import { FieldValue, type Timestamp } from "firebase-admin/firestore";
import { setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

const doc = () => ctx.db.collection(ctx.col()).doc("d");

describe("field transforms", () => {
  it("serverTimestamp() sets the commit time", async () => {
    const ref = doc();
    const w = await ref.set({ at: FieldValue.serverTimestamp() });
    const at = (await ref.get()).get("at") as Timestamp;
    expect(at.isEqual(w.writeTime)).toBe(true);
  });

  it("increment on integers stays an integer", async () => {
    const ref = doc();
    await ref.set({ n: 1 });
    await ref.update({ n: FieldValue.increment(2) });
    const snap = await ref.get();
    expect(snap.get("n")).toBe(3);
    expect(Number.isInteger(snap.get("n"))).toBe(true);
  });

  it("increment with a double makes a double", async () => {
    const ref = doc();
    await ref.set({ n: 1 });
    await ref.update({ n: FieldValue.increment(0.5) });
    expect((await ref.get()).get("n")).toBe(1.5);
  });

  it("increment of a missing or non-numeric field sets the operand", async () => {
    const ref = doc();
    await ref.set({ s: "text" });
    await ref.update({ s: FieldValue.increment(5), missing: FieldValue.increment(7) });
    expect((await ref.get()).data()).toEqual({ s: 5, missing: 7 });
  });

  it("increment on a missing document creates it with set merge", async () => {
    const ref = doc();
    await ref.set({ n: FieldValue.increment(3) }, { merge: true });
    expect((await ref.get()).get("n")).toBe(3);
  });

  it("concurrent increments are all applied", async () => {
    const ref = doc();
    await ref.set({ n: 0 });
    await Promise.all(Array.from({ length: 20 }, () => ref.update({ n: FieldValue.increment(1) })));
    expect((await ref.get()).get("n")).toBe(20);
  });

  it("increment by a negative number decrements", async () => {
    const ref = doc();
    await ref.set({ n: 10 });
    await ref.update({ n: FieldValue.increment(-3) });
    expect((await ref.get()).get("n")).toBe(7);
  });

  it("integer increment of a double field gives a double", async () => {
    const ref = doc();
    await ref.set({ n: 2.5 });
    await ref.update({ n: FieldValue.increment(1) });
    expect((await ref.get()).get("n")).toBe(3.5);
  });

  it("arrayUnion appends only missing elements", async () => {
    const ref = doc();
    await ref.set({ a: [1, 2] });
    await ref.update({ a: FieldValue.arrayUnion(2, 3, 3, { x: 1 }) });
    expect((await ref.get()).get("a")).toEqual([1, 2, 3, { x: 1 }]);
  });

  it("arrayRemove removes every equal element", async () => {
    const ref = doc();
    await ref.set({ a: [1, 2, 1, 3, { x: 1 }] });
    await ref.update({ a: FieldValue.arrayRemove(1, { x: 1 }) });
    expect((await ref.get()).get("a")).toEqual([2, 3]);
  });

  it("arrayUnion on a missing field creates the array and arrayRemove on one leaves an empty array", async () => {
    const ref = doc();
    await ref.set({ x: 1 });
    await ref.update({ u: FieldValue.arrayUnion("a"), r: FieldValue.arrayRemove("a") });
    expect((await ref.get()).data()).toEqual({ x: 1, u: ["a"], r: [] });
  });

  it("several transforms in one write are all applied", async () => {
    const ref = doc();
    await ref.set({ n: 1, tags: ["a"], gone: [1] });
    const w = await ref.update({
      n: FieldValue.increment(4),
      tags: FieldValue.arrayUnion("b"),
      gone: FieldValue.arrayRemove(1),
      at: FieldValue.serverTimestamp(),
      plain: "value",
    });
    const data = (await ref.get()).data()!;
    expect(data["n"]).toBe(5);
    expect(data["tags"]).toEqual(["a", "b"]);
    expect(data["gone"]).toEqual([]);
    expect((data["at"] as Timestamp).isEqual(w.writeTime)).toBe(true);
    expect(data["plain"]).toBe("value");
  });

  it("transforms work on nested field paths (a.b.c)", async () => {
    const ref = doc();
    await ref.set({ a: { b: { c: 1, keep: true } } });
    const w = await ref.update({ "a.b.c": FieldValue.increment(1), "a.b.t": FieldValue.serverTimestamp(), "a.x.y": FieldValue.arrayUnion(1) });
    const data = (await ref.get()).data()!;
    expect(data["a"]["b"]["c"]).toBe(2);
    expect(data["a"]["b"]["keep"]).toBe(true);
    expect((data["a"]["b"]["t"] as Timestamp).isEqual(w.writeTime)).toBe(true);
    expect(data["a"]["x"]["y"]).toEqual([1]);
  });

  it("transforms inside set with nested objects apply at the nested path", async () => {
    const ref = doc();
    const w = await ref.set({ m: { count: FieldValue.increment(2), at: FieldValue.serverTimestamp() } });
    const data = (await ref.get()).data()!;
    expect(data["m"]["count"]).toBe(2);
    expect((data["m"]["at"] as Timestamp).isEqual(w.writeTime)).toBe(true);
  });

  it("a transaction can combine a set and transforms", async () => {
    const ref = doc();
    await ctx.db.runTransaction(async (t) => {
      t.set(ref, { n: FieldValue.increment(1), at: FieldValue.serverTimestamp() });
    });
    const snap = await ref.get();
    expect(snap.get("n")).toBe(1);
    expect((snap.get("at") as Timestamp).isEqual(snap.updateTime!)).toBe(true);
  });
});
