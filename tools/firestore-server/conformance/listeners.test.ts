import { Filter } from "firebase-admin/firestore";
import { setupContext, waitFor, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

type QSnap = FirebaseFirestore.QuerySnapshot;
type DSnap = FirebaseFirestore.DocumentSnapshot;
const ids = (snap: QSnap): string[] => snap.docs.map((d) => d.id);

describe("listeners (Listen)", () => {
  it("onSnapshot on a document delivers the initial state and later writes", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("d");
    await ref.set({ v: 1 });
    const first = waitFor<DSnap>((s) => s.get("v") === 1);
    const second = waitFor<DSnap>((s) => s.get("v") === 2);
    const seen: unknown[] = [];
    const unsub = ref.onSnapshot((s) => {
      seen.push(s.get("v"));
      first.push(s);
      second.push(s);
    });
    const initial = await first.done;
    const w = await ref.update({ v: 2 });
    const updated = await second.done;
    unsub();
    expect(seen).toEqual([1, 2]);
    expect(updated.data()).toEqual({ v: 2 });
    expect(updated.updateTime!.isEqual(w.writeTime)).toBe(true);
    expect(updated.createTime!.isEqual(initial.createTime!)).toBe(true);
  });

  it("onSnapshot on a missing document reports exists=false, then its creation and deletion", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("d");
    const missing = waitFor<DSnap>((s) => !s.exists);
    const created = waitFor<DSnap>((s) => s.exists && s.get("v") === 1);
    const states: boolean[] = [];
    const unsub = ref.onSnapshot((s) => {
      states.push(s.exists);
      missing.push(s);
      created.push(s);
    });
    await missing.done;
    await ref.set({ v: 1 });
    await created.done;
    const deleted = waitFor<DSnap>((s) => !s.exists);
    const unsub2 = ref.onSnapshot((s) => deleted.push(s));
    await ref.delete();
    await deleted.done;
    unsub();
    unsub2();
    expect(states[0]).toBe(false);
  });

  it("query listener reports added, modified and removed changes", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ n: 1 });
    const changes: string[] = [];
    let latest: QSnap | undefined;
    const initial = waitFor<QSnap>((s) => s.size === 1);
    const unsub = col.where("n", ">", 0).onSnapshot((s) => {
      latest = s;
      for (const c of s.docChanges()) changes.push(`${c.type}:${c.doc.id}`);
      initial.push(s);
    });
    await initial.done;
    const step = async (fn: () => Promise<unknown>, expected: string): Promise<void> => {
      const before = changes.length;
      await fn();
      const deadline = Date.now() + 5000;
      while (!changes.slice(before).includes(expected) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(changes.slice(before)).toContain(expected);
    };
    await step(() => col.doc("b").set({ n: 2 }), "added:b");
    await step(() => col.doc("a").update({ n: 5 }), "modified:a");
    await step(() => col.doc("b").update({ n: -1 }), "removed:b");
    await step(() => col.doc("a").delete(), "removed:a");
    expect(latest!.size).toBe(0);
    unsub();
  });

  it("query listener initial snapshot is ordered like the query", async () => {
    const col = ctx.db.collection(ctx.col());
    await Promise.all([3, 1, 2].map((n) => col.doc(`d${n}`).set({ n })));
    const w = waitFor<QSnap>((s) => s.size === 3);
    const unsub = col.orderBy("n", "desc").onSnapshot((s) => w.push(s));
    expect(ids(await w.done)).toEqual(["d3", "d2", "d1"]);
    unsub();
  });

  it("a listener on a nested-path query works and sees later writes (and the server survives it)", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ meta: { status: "open", rank: 1 } });
    await col.doc("b").set({ meta: { status: "closed", rank: 2 } });
    const initial = waitFor<QSnap>((s) => s.size === 1);
    const later = waitFor<QSnap>((s) => s.size === 2);
    const unsub = col.where("meta.status", "==", "open").orderBy("meta.rank").onSnapshot((s) => {
      initial.push(s);
      later.push(s);
    });
    expect(ids(await initial.done)).toEqual(["a"]);
    await col.doc("b").update({ "meta.status": "open" });
    expect(ids(await later.done)).toEqual(["a", "b"]);
    unsub();
    expect((await col.doc("a").get()).exists).toBe(true);
  });

  it("a listener on a limit query keeps the window up to date", async () => {
    const col = ctx.db.collection(ctx.col());
    await Promise.all([1, 2, 3].map((n) => col.doc(`d${n}`).set({ n })));
    const initial = waitFor<QSnap>((s) => s.size > 0);
    const after = waitFor<QSnap>((s) => ids(s).includes("d0"));
    const unsub = col.orderBy("n").limit(2).onSnapshot((s) => {
      initial.push(s);
      after.push(s);
    });
    expect(ids(await initial.done)).toEqual(["d1", "d2"]);
    await col.doc("d0").set({ n: 0 });
    const snap = await after.done;
    unsub();
    expect(ids(snap)).toEqual(["d0", "d1"]);
    expect(snap.docChanges().map((c) => `${c.type}:${c.doc.id}`).sort()).toEqual(["added:d0", "removed:d2"]);
  });

  it("a listener with an OR filter sees matching writes", async () => {
    const col = ctx.db.collection(ctx.col());
    const w = waitFor<QSnap>((s) => s.size === 2);
    const unsub = col.where(Filter.or(Filter.where("a", "==", 1), Filter.where("b", "==", 1))).onSnapshot((s) => w.push(s));
    await col.doc("x").set({ a: 1 });
    await col.doc("y").set({ b: 1 });
    await col.doc("z").set({ a: 2, b: 2 });
    expect(ids(await w.done)).toEqual(["x", "y"]);
    unsub();
  });

  it("a collection group listener sees writes at any depth", async () => {
    const group = ctx.col("grp");
    const w = waitFor<QSnap>((s) => s.size === 2);
    const unsub = ctx.db.collectionGroup(group).onSnapshot((s) => w.push(s));
    await ctx.db.doc(`top/1/${group}/a`).set({ depth: 3 });
    await ctx.db.doc(`top/1/mid/2/${group}/b`).set({ depth: 5 });
    await ctx.db.doc(`top/1/${group}-other/c`).set({ depth: 3 });
    const snap = await w.done;
    unsub();
    expect(snap.docs.map((d) => d.ref.path)).toEqual([`top/1/${group}/a`, `top/1/mid/2/${group}/b`]);
    expect(snap.docs.map((d) => d.get("depth"))).toEqual([3, 5]);
  });

  it("several listeners on one client each get their own updates", async () => {
    const col = ctx.db.collection(ctx.col());
    const wa = waitFor<QSnap>((s) => s.size === 1);
    const wb = waitFor<QSnap>((s) => s.size === 2);
    const seenByA: string[][] = [];
    const u1 = col.where("k", "==", "a").onSnapshot((s) => {
      seenByA.push(ids(s));
      wa.push(s);
    });
    const u2 = col.where("k", "in", ["a", "b"]).onSnapshot((s) => wb.push(s));
    await col.doc("1").set({ k: "a" });
    await col.doc("2").set({ k: "b" });
    const [a, b] = await Promise.all([wa.done, wb.done]);
    // Give a wrongly routed change to the first listener time to arrive.
    await col.doc("3").set({ k: "c" });
    await new Promise((r) => setTimeout(r, 100));
    u1();
    u2();
    expect(ids(a)).toEqual(["1"]);
    expect(ids(b)).toEqual(["1", "2"]);
    expect(seenByA.every((s) => s.every((id) => id === "1"))).toBe(true);
  });

  it("a listener sees writes made by another client", async () => {
    const col = ctx.db.collection(ctx.col());
    const w = waitFor<QSnap>((s) => s.size === 1);
    const unsub = col.onSnapshot((s) => w.push(s));
    await ctx.second().collection(col.id).doc("x").set({ from: "other" });
    expect((await w.done).docs[0]!.get("from")).toBe("other");
    unsub();
  });

  it("a listener sees the result of a transaction and of a batch", async () => {
    const col = ctx.db.collection(ctx.col());
    const w = waitFor<QSnap>((s) => s.size === 3);
    const sizes: number[] = [];
    const unsub = col.onSnapshot((s) => {
      sizes.push(s.size);
      w.push(s);
    });
    await ctx.db.runTransaction(async (t) => {
      await t.get(col.doc("t"));
      t.set(col.doc("t"), { v: 1 });
    });
    const b = ctx.db.batch();
    b.set(col.doc("b1"), { v: 2 });
    b.set(col.doc("b2"), { v: 3 });
    await b.commit();
    const snap = await w.done;
    unsub();
    expect(ids(snap)).toEqual(["b1", "b2", "t"]);
    expect(snap.docs.map((d) => d.get("v"))).toEqual([2, 3, 1]);
    // The batch's two documents arrive in one snapshot, never one without the other.
    expect(sizes).not.toContain(2);
  });

  it("unsubscribing stops further snapshots", async () => {
    const col = ctx.db.collection(ctx.col());
    let calls = 0;
    const w = waitFor<QSnap>(() => true);
    const unsub = col.onSnapshot((s) => {
      calls++;
      w.push(s);
    });
    await w.done;
    unsub();
    const before = calls;
    await col.doc("x").set({});
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(before);
  });
  it("a limitToLast listener shows the last documents in query order", async () => {
    const col = ctx.db.collection(ctx.col());
    await Promise.all([1, 2, 3].map((n) => col.doc(`d${n}`).set({ n })));
    const initial = waitFor<QSnap>((s) => s.size > 0);
    const after = waitFor<QSnap>((s) => ids(s).includes("d4"));
    const unsub = col.orderBy("n").limitToLast(2).onSnapshot((s) => {
      initial.push(s);
      after.push(s);
    });
    expect(ids(await initial.done)).toEqual(["d2", "d3"]);
    await col.doc("d4").set({ n: 4 });
    const snap = await after.done;
    unsub();
    expect(ids(snap)).toEqual(["d3", "d4"]);
    expect(snap.docs.map((d) => d.get("n"))).toEqual([3, 4]);
  });

  it("a document listener sees a field removed with FieldValue.delete()", async () => {
    const { FieldValue } = await import("firebase-admin/firestore");
    const ref = ctx.db.collection(ctx.col()).doc("d");
    await ref.set({ a: 1, b: 2 });
    const initial = waitFor<DSnap>((s) => s.get("b") === 2);
    const removed = waitFor<DSnap>((s) => s.exists && s.get("b") === undefined);
    const unsub = ref.onSnapshot((s) => {
      initial.push(s);
      removed.push(s);
    });
    await initial.done;
    await ref.update({ b: FieldValue.delete() });
    expect((await removed.done).data()).toEqual({ a: 1 });
    unsub();
  });

  it("listeners do not see writes to another database with the same paths", async () => {
    const { getFirestore } = await import("firebase-admin/firestore");
    const other = getFirestore(ctx.app, "listen-other");
    const name = ctx.col();
    const snaps: number[] = [];
    const w = waitFor<QSnap>(() => true);
    const unsub = ctx.db.collection(name).onSnapshot((s) => {
      snaps.push(s.size);
      w.push(s);
    });
    await w.done;
    await other.collection(name).doc("x").set({ v: 1 });
    const mine = waitFor<QSnap>((s) => s.size === 1);
    const unsub2 = ctx.db.collection(name).onSnapshot((s) => mine.push(s));
    await ctx.db.collection(name).doc("y").set({ v: 1 });
    expect(ids(await mine.done)).toEqual(["y"]);
    expect(snaps.every((n) => n <= 1)).toBe(true);
    unsub();
    unsub2();
  });
});
