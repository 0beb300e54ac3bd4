import { FieldPath, FieldValue, GeoPoint, Timestamp } from "firebase-admin/firestore";
import { getFirestore } from "firebase-admin/firestore";
import { resetDatabase, setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

describe("documents and writes", () => {
  it("get of a missing document reports exists=false", async () => {
    const snap = await ctx.db.collection(ctx.col()).doc("nope").get();
    expect(snap.exists).toBe(false);
    expect(snap.data()).toBeUndefined();
  });

  it("set then get round-trips the data with create and update times", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    const res = await ref.set({ a: 1, b: "x" });
    const snap = await ref.get();
    expect(snap.data()).toEqual({ a: 1, b: "x" });
    expect(snap.createTime!.isEqual(res.writeTime)).toBe(true);
    expect(snap.updateTime!.isEqual(res.writeTime)).toBe(true);
  });

  it("set() without merge replaces all fields", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    await ref.set({ a: 1, b: 2, nested: { x: 1 } });
    await ref.set({ c: 3 });
    expect((await ref.get()).data()).toEqual({ c: 3 });
  });

  it("set with merge keeps other fields and merges nested maps", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    await ref.set({ a: 1, m: { x: 1, y: 2 } });
    await ref.set({ b: 2, m: { y: 3 } }, { merge: true });
    expect((await ref.get()).data()).toEqual({ a: 1, b: 2, m: { x: 1, y: 3 } });
  });

  it("set with mergeFields only writes the listed fields", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    await ref.set({ a: 1, b: 1 });
    await ref.set({ a: 2, b: 2, c: 2 }, { mergeFields: ["a", "c"] });
    expect((await ref.get()).data()).toEqual({ a: 2, b: 1, c: 2 });
  });

  it("set with merge creates a missing document", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    await ref.set({ a: 1 }, { merge: true });
    expect((await ref.get()).data()).toEqual({ a: 1 });
  });

  it("FieldValue.delete() removes a field in update", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    await ref.set({ a: 1, b: 2, m: { x: 1, y: 2 } });
    await ref.update({ b: FieldValue.delete(), "m.x": FieldValue.delete() });
    expect((await ref.get()).data()).toEqual({ a: 1, m: { y: 2 } });
  });

  it("FieldValue.delete() removes a field in set with merge", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    await ref.set({ a: 1, b: 2 });
    await ref.set({ b: FieldValue.delete() }, { merge: true });
    expect((await ref.get()).data()).toEqual({ a: 1 });
  });

  it("create on an existing document fails with ALREADY_EXISTS", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    await ref.create({ a: 1 });
    await expect(ref.create({ a: 2 })).rejects.toMatchObject({ code: 6 });
    expect((await ref.get()).data()).toEqual({ a: 1 });
  });

  it("update of a missing document fails with NOT_FOUND", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("missing");
    await expect(ref.update({ a: 1 })).rejects.toMatchObject({ code: 5 });
    expect((await ref.get()).exists).toBe(false);
  });

  it("update with nested field paths changes only those leaves", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    await ref.set({ m: { a: 1, b: { c: 1, d: 1 } } });
    await ref.update({ "m.b.c": 2, "m.e": 5 });
    expect((await ref.get()).data()).toEqual({ m: { a: 1, b: { c: 2, d: 1 }, e: 5 } });
  });

  it("update with a lastUpdateTime precondition succeeds when it matches", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    const w = await ref.set({ a: 1 });
    await ref.update({ a: 2 }, { lastUpdateTime: w.writeTime });
    expect((await ref.get()).get("a")).toBe(2);
  });

  it("update with a stale lastUpdateTime precondition is rejected", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    const w1 = await ref.set({ a: 1 });
    await ref.set({ a: 2 });
    await expect(ref.update({ a: 3 }, { lastUpdateTime: w1.writeTime })).rejects.toMatchObject({ code: 9 });
    expect((await ref.get()).get("a")).toBe(2);
  });

  it("update with a lastUpdateTime precondition never creates a missing document", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("ghost");
    // The docs do not say which of NOT_FOUND / FAILED_PRECONDITION a missing document gives.
    const err = (await ref.update({ a: 1 }, { lastUpdateTime: Timestamp.now() }).then(
      () => undefined,
      (e: unknown) => e,
    )) as { code?: number } | undefined;
    expect([5, 9]).toContain(err?.code);
    expect((await ref.get()).exists).toBe(false);
  });

  it("delete with a stale lastUpdateTime precondition is rejected", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    const w1 = await ref.set({ a: 1 });
    await ref.set({ a: 2 });
    await expect(ref.delete({ lastUpdateTime: w1.writeTime })).rejects.toMatchObject({ code: 9 });
    expect((await ref.get()).exists).toBe(true);
  });

  it("delete removes the document and deleting a missing document succeeds", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    const created = await ref.set({ a: 1 });
    const deleted = await ref.delete();
    expect((await ref.get()).exists).toBe(false);
    const again = await ref.delete();
    // A delete's write time is its commit time (the SDK fills it in; the server sends none).
    expect(deleted.writeTime.valueOf() > created.writeTime.valueOf()).toBe(true);
    expect(again.writeTime.valueOf() > deleted.writeTime.valueOf()).toBe(true);
  });

  it("delete with exists precondition fails on a missing document", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    await expect(ref.delete({ exists: true })).rejects.toMatchObject({ code: 5 });
  });

  it("reserved document ids (__.*__) are refused with INVALID_ARGUMENT, numeric __id<n>__ ones included", async () => {
    const col = ctx.db.collection(ctx.col());
    await expect(col.doc("__doc__").set({ v: 1 })).rejects.toMatchObject({ code: 3 });
    await expect(col.doc("__id7__").create({ v: 1 })).rejects.toMatchObject({ code: 3 });
    await expect(col.doc("__x__").collection("sub").doc("d").set({ v: 1 })).rejects.toMatchObject({ code: 3 });
    const batch = ctx.db.batch();
    batch.set(col.doc("fine"), { v: 1 });
    batch.set(col.doc("____"), { v: 1 });
    await expect(batch.commit()).rejects.toMatchObject({ code: 3 });
    // Only the exact __.*__ shape is reserved.
    await col.doc("__a").set({ v: 1 });
    await col.doc("a__").set({ v: 1 });
    await col.doc("x__y__").set({ v: 1 });
    expect((await col.get()).docs.map((d) => d.id).sort()).toEqual(["__a", "a__", "x__y__"]);
  });

  it("numeric __id<n>__ ids are accepted as document-id query boundaries", async () => {
    const col = ctx.db.collection(ctx.col());
    await Promise.all(["a", "b"].map((id) => col.doc(id).set({})));
    const snap = await col.orderBy(FieldPath.documentId()).startAt("__id-9223372036854775808__").get();
    expect(snap.docs.map((d) => d.id)).toEqual(["a", "b"]);
  });

  it("getAll returns found and missing documents in request order", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("b").set({ v: 2 });
    await col.doc("a").set({ v: 1 });
    const snaps = await ctx.db.getAll(col.doc("b"), col.doc("zz"), col.doc("a"));
    expect(snaps.map((s) => [s.id, s.exists])).toEqual([
      ["b", true],
      ["zz", false],
      ["a", true],
    ]);
  });

  it("getAll with a fieldMask returns only the masked fields", async () => {
    const col = ctx.db.collection(ctx.col());
    await col.doc("a").set({ x: 1, y: 2, m: { p: 1, q: 2 } });
    const [snap] = await ctx.db.getAll(col.doc("a"), { fieldMask: ["x", "m.q"] });
    expect(snap!.data()).toEqual({ x: 1, m: { q: 2 } });
  });

  it("a write batch applies all its writes at one commit time", async () => {
    const col = ctx.db.collection(ctx.col());
    const batch = ctx.db.batch();
    batch.set(col.doc("a"), { v: 1 });
    batch.set(col.doc("b"), { v: 2 });
    batch.delete(col.doc("c"));
    const results = await batch.commit();
    expect(results).toHaveLength(3);
    expect(results[0]!.writeTime.isEqual(results[1]!.writeTime)).toBe(true);
    expect((await col.get()).size).toBe(2);
  });

  it("a commit that fails on its last write leaves earlier writes of the same batch unapplied", async () => {
    const col = ctx.db.collection(ctx.col());
    const batch = ctx.db.batch();
    batch.set(col.doc("a"), { v: 1 });
    batch.set(col.doc("b"), { v: 2 });
    batch.update(col.doc("missing"), { v: 3 });
    await expect(batch.commit()).rejects.toMatchObject({ code: 5 });
    expect((await col.doc("a").get()).exists).toBe(false);
    expect((await col.doc("b").get()).exists).toBe(false);
  });

  it("rewriting identical data keeps the document readable and unchanged", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    await ref.set({ a: 1 });
    await ref.set({ a: 1 });
    expect((await ref.get()).data()).toEqual({ a: 1 });
  });

  it("createTime is preserved across updates while updateTime advances", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    await ref.set({ a: 1 });
    const s1 = await ref.get();
    await ref.update({ a: 2 });
    const s2 = await ref.get();
    expect(s2.createTime!.isEqual(s1.createTime!)).toBe(true);
    expect(s2.updateTime!.toMillis() >= s1.updateTime!.toMillis()).toBe(true);
    expect(s2.updateTime!.isEqual(s1.updateTime!)).toBe(false);
  });

  it("all value types round-trip (timestamp, geopoint, bytes, reference, arrays, maps, null, NaN, vector)", async () => {
    const col = ctx.db.collection(ctx.col());
    const ts = new Timestamp(1_700_000_000, 123_456_000);
    const data = {
      n: null,
      b: true,
      i: 42,
      big: 9007199254740991,
      d: 1.5,
      nan: NaN,
      inf: Infinity,
      s: "héllo 🌍",
      ts,
      geo: new GeoPoint(48.85, 2.35),
      bytes: Buffer.from([0, 1, 2, 255]),
      ref: col.doc("other"),
      arr: [1, "two", { three: 3 }, [4]],
      map: { deep: { deeper: { x: 1 } } },
      vec: FieldValue.vector([1, 2, 3]),
      empty: {},
      emptyArr: [],
    };
    await col.doc("a").set(data);
    const got = (await col.doc("a").get()).data()!;
    expect(got["n"]).toBeNull();
    expect(got["b"]).toBe(true);
    expect(got["i"]).toBe(42);
    expect(got["big"]).toBe(9007199254740991);
    expect(got["d"]).toBe(1.5);
    expect(Number.isNaN(got["nan"])).toBe(true);
    expect(got["inf"]).toBe(Infinity);
    expect(got["s"]).toBe("héllo 🌍");
    expect((got["ts"] as Timestamp).isEqual(ts)).toBe(true);
    expect((got["geo"] as GeoPoint).isEqual(new GeoPoint(48.85, 2.35))).toBe(true);
    expect(Buffer.from(got["bytes"] as Uint8Array).equals(Buffer.from([0, 1, 2, 255]))).toBe(true);
    expect(got["ref"].path).toBe(col.doc("other").path);
    expect(got["arr"]).toEqual([1, "two", { three: 3 }, [4]]);
    expect(got["map"]).toEqual({ deep: { deeper: { x: 1 } } });
    expect(got["vec"].toArray()).toEqual([1, 2, 3]);
    expect(got["empty"]).toEqual({});
    expect(got["emptyArr"]).toEqual([]);
  });

  it("field names with dots and special characters are stored verbatim", async () => {
    const ref = ctx.db.collection(ctx.col()).doc("a");
    await ref.set({ "a.b": 1, "sp ace": 2, "ünï": 3 });
    expect((await ref.get()).data()).toEqual({ "a.b": 1, "sp ace": 2, "ünï": 3 });
    await ref.update(new (await import("firebase-admin/firestore")).FieldPath("a.b"), 5);
    expect((await ref.get()).get(new (await import("firebase-admin/firestore")).FieldPath("a.b"))).toBe(5);
  });

  it("documents in subcollections are independent of their parent", async () => {
    const parent = ctx.db.collection(ctx.col()).doc("p");
    await parent.collection("sub").doc("c").set({ v: 1 });
    expect((await parent.get()).exists).toBe(false);
    expect((await parent.collection("sub").doc("c").get()).data()).toEqual({ v: 1 });
  });

  it("named databases are isolated from the default database", async () => {
    const other = getFirestore(ctx.app, "other-db");
    const name = ctx.col();
    await ctx.db.collection(name).doc("a").set({ where: "default" });
    await other.collection(name).doc("a").set({ where: "other" });
    expect((await ctx.db.collection(name).doc("a").get()).get("where")).toBe("default");
    expect((await other.collection(name).doc("a").get()).get("where")).toBe("other");
    expect((await other.collection(name).get()).size).toBe(1);
  });

  it("projects are isolated from each other", async () => {
    const other = setupContext();
    try {
      const name = ctx.col();
      await ctx.db.collection(name).doc("a").set({ v: 1 });
      expect((await other.db.collection(name).doc("a").get()).exists).toBe(false);
    } finally {
      await other.close();
    }
  });
});

describe("HTTP endpoints", () => {
  it("the HTTP reset endpoint DELETE /emulator/v1/projects/{p}/databases/(default)/documents clears data", async () => {
    const other = setupContext();
    try {
      const col = other.db.collection(other.col());
      await col.doc("a").set({ v: 1 });
      await col.doc("b").collection("sub").doc("c").set({ v: 2 });
      const res = await resetDatabase(other.projectId);
      expect(res.status).toBe(200);
      expect((await col.doc("a").get()).exists).toBe(false);
      expect((await col.doc("b").collection("sub").doc("c").get()).exists).toBe(false);
      expect((await col.get()).size).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("the reset endpoint only clears the given project", async () => {
    const other = setupContext();
    try {
      const name = ctx.col();
      await ctx.db.collection(name).doc("keep").set({ v: 1 });
      await other.db.collection(name).doc("drop").set({ v: 1 });
      await resetDatabase(other.projectId);
      expect((await ctx.db.collection(name).doc("keep").get()).exists).toBe(true);
    } finally {
      await other.close();
    }
  });
});
