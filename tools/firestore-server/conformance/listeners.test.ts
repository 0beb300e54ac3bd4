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
    const unsub = ref.onSnapshot((s) => {
      first.push(s);
      second.push(s);
    });
    await first.done;
    await ref.update({ v: 2 });
    await second.done;
    unsub();
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
    const initial = waitFor<QSnap>((s) => ids(s).join() === "d1,d2");
    const after = waitFor<QSnap>((s) => ids(s).join() === "d0,d1");
    const unsub = col.orderBy("n").limit(2).onSnapshot((s) => {
      initial.push(s);
      after.push(s);
    });
    await initial.done;
    await col.doc("d0").set({ n: 0 });
    await after.done;
    unsub();
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
    await ctx.db.doc(`top/1/${group}/a`).set({});
    await ctx.db.doc(`top/1/mid/2/${group}/b`).set({});
    await w.done;
    unsub();
  });

  it("several listeners on one client each get their own updates", async () => {
    const col = ctx.db.collection(ctx.col());
    const wa = waitFor<QSnap>((s) => s.size === 1);
    const wb = waitFor<QSnap>((s) => s.size === 2);
    const u1 = col.where("k", "==", "a").onSnapshot((s) => wa.push(s));
    const u2 = col.where("k", "in", ["a", "b"]).onSnapshot((s) => wb.push(s));
    await col.doc("1").set({ k: "a" });
    await col.doc("2").set({ k: "b" });
    await Promise.all([wa.done, wb.done]);
    u1();
    u2();
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
    const unsub = col.onSnapshot((s) => w.push(s));
    await ctx.db.runTransaction(async (t) => {
      await t.get(col.doc("t"));
      t.set(col.doc("t"), { v: 1 });
    });
    const b = ctx.db.batch();
    b.set(col.doc("b1"), {});
    b.set(col.doc("b2"), {});
    await b.commit();
    await w.done;
    unsub();
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
    const initial = waitFor<QSnap>((s) => ids(s).join() === "d2,d3");
    const after = waitFor<QSnap>((s) => ids(s).join() === "d3,d4");
    const unsub = col.orderBy("n").limitToLast(2).onSnapshot((s) => {
      initial.push(s);
      after.push(s);
    });
    await initial.done;
    await col.doc("d4").set({ n: 4 });
    await after.done;
    unsub();
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
