/**
 * The HTTP change feed the local event relay reads. Runs its own in-process server (so it also
 * runs when FIRESTORE_EMULATOR_HOST points at Google's emulator, which has no such endpoint),
 * with a small ring so truncation is cheap to reach. Each test uses its own project, hence its
 * own feed.
 */
import { randomBytes } from "node:crypto";
import { FieldValue, Firestore, GeoPoint, Timestamp } from "@google-cloud/firestore";
import { startFirestoreServer, type ChangeJson, type ChangesPage, type RunningServer } from "../src";

const CAPACITY = 50;
let server: RunningServer;
let savedHost: string | undefined;
const clients: Firestore[] = [];

beforeAll(async () => {
  server = await startFirestoreServer({ port: 0, changeFeedCapacity: CAPACITY });
  // The SDK reads the emulator address from the environment, which takes precedence over settings.
  savedHost = process.env["FIRESTORE_EMULATOR_HOST"];
  process.env["FIRESTORE_EMULATOR_HOST"] = `127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.terminate()));
  await server.close();
  if (savedHost === undefined) delete process.env["FIRESTORE_EMULATOR_HOST"];
  else process.env["FIRESTORE_EMULATOR_HOST"] = savedHost;
});

interface Project {
  projectId: string;
  db: Firestore;
  root: string;
  feedUrl: (query?: string, database?: string) => string;
}

function project(): Project {
  const projectId = `demo-feed-${randomBytes(4).toString("hex")}`;
  const db = new Firestore({ projectId });
  clients.push(db);
  return {
    projectId,
    db,
    root: `projects/${projectId}/databases/(default)/documents`,
    feedUrl: (query = "", database = "(default)") =>
      `http://127.0.0.1:${server.port}/emulator/v1/projects/${projectId}/databases/${encodeURIComponent(database)}/changes${query}`,
  };
}

async function feed(p: Project, query = "", database?: string): Promise<ChangesPage> {
  const res = await fetch(p.feedUrl(query, database));
  expect(res.status).toBe(200);
  return (await res.json()) as ChangesPage;
}

/** RFC 3339 with nine fractional digits, computed independently of the server's formatter. */
function rfc3339(ts: Timestamp): string {
  return `${new Date(ts.seconds * 1000).toISOString().slice(0, 19)}.${String(ts.nanoseconds).padStart(9, "0")}Z`;
}

const brief = (c: ChangeJson): [number, string, boolean, boolean] => [c.seq, c.document.split("/documents/")[1]!, c.before !== null, c.after !== null];

describe("change feed", () => {
  it("reports a create, an update and a delete with the document before and after", async () => {
    const p = project();
    const ref = p.db.doc("users/u1");
    const created = await ref.set({ name: "Ada", n: 1 });
    const updated = await ref.update({ n: 2 });
    const deleted = await ref.delete();
    const page = await feed(p);
    expect(page.lastSeq).toBe(3);
    expect(page.truncated).toBeUndefined();
    const [c, u, d] = page.changes;
    const name = `${p.root}/users/u1`;
    expect(c).toEqual({
      seq: 1,
      document: name,
      before: null,
      after: {
        name,
        fields: { name: { stringValue: "Ada" }, n: { integerValue: "1" } },
        createTime: rfc3339(created.writeTime),
        updateTime: rfc3339(created.writeTime),
      },
      commitTime: rfc3339(created.writeTime),
    });
    expect(u).toEqual({
      seq: 2,
      document: name,
      before: c!.after,
      after: { ...c!.after!, fields: { name: { stringValue: "Ada" }, n: { integerValue: "2" } }, updateTime: rfc3339(updated.writeTime) },
      commitTime: rfc3339(updated.writeTime),
    });
    expect(d).toEqual({ seq: 3, document: name, before: u!.after, after: null, commitTime: rfc3339(deleted.writeTime) });
  });

  it("encodes every value type in the proto3 JSON mapping", async () => {
    const p = project();
    const at = new Timestamp(1_700_000_000, 123_456_000);
    await p.db.doc("types/all").set({
      nul: null,
      yes: true,
      big: Number.MAX_SAFE_INTEGER,
      neg: -5,
      dbl: 1.5,
      nan: NaN,
      inf: Infinity,
      ninf: -Infinity,
      ts: at,
      str: "héllo",
      bytes: Buffer.from([0, 1, 2, 250]),
      ref: p.db.doc("other/x"),
      geo: new GeoPoint(0, -122.5),
      arr: [1, "a", [], {}],
      map: { inner: { deep: false } },
      vec: FieldValue.vector([1, 2]),
    });
    const [change] = (await feed(p)).changes;
    expect(change!.after!.fields).toEqual({
      nul: { nullValue: null },
      yes: { booleanValue: true },
      big: { integerValue: "9007199254740991" },
      neg: { integerValue: "-5" },
      dbl: { doubleValue: 1.5 },
      nan: { doubleValue: "NaN" },
      inf: { doubleValue: "Infinity" },
      ninf: { doubleValue: "-Infinity" },
      ts: { timestampValue: "2023-11-14T22:13:20.123456000Z" },
      str: { stringValue: "héllo" },
      bytes: { bytesValue: Buffer.from([0, 1, 2, 250]).toString("base64") },
      ref: { referenceValue: `${p.root}/other/x` },
      geo: { geoPointValue: { latitude: 0, longitude: -122.5 } },
      arr: {
        arrayValue: {
          values: [{ integerValue: "1" }, { stringValue: "a" }, { arrayValue: { values: [] } }, { mapValue: { fields: {} } }],
        },
      },
      map: { mapValue: { fields: { inner: { mapValue: { fields: { deep: { booleanValue: false } } } } } } },
      vec: {
        mapValue: {
          fields: {
            __type__: { stringValue: "__vector__" },
            value: { arrayValue: { values: [{ doubleValue: 1 }, { doubleValue: 2 }] } },
          },
        },
      },
    });
  });

  it("a transaction over several documents gives one change per document, at one commit time, in order", async () => {
    const p = project();
    await p.db.doc("acc/a").set({ balance: 10 });
    await p.db.doc("acc/b").set({ balance: 0 });
    const head = (await feed(p, "/head")).lastSeq as number;
    await p.db.runTransaction(async (t) => {
      const [a, b] = await t.getAll(p.db.doc("acc/a"), p.db.doc("acc/b"));
      t.update(a!.ref, { balance: a!.get("balance") - 4 });
      t.update(b!.ref, { balance: b!.get("balance") + 4 });
      t.create(p.db.doc("acc/log"), { moved: 4 });
    });
    const page = await feed(p, `?after=${head}`);
    expect(page.changes.map(brief)).toEqual([
      [3, "acc/a", true, true],
      [4, "acc/b", true, true],
      [5, "acc/log", false, true],
    ]);
    expect(new Set(page.changes.map((c) => c.commitTime)).size).toBe(1);
    expect(page.changes[0]!.before!.fields).toEqual({ balance: { integerValue: "10" } });
    expect(page.changes[0]!.after!.fields).toEqual({ balance: { integerValue: "6" } });
    expect(page.changes[1]!.after!.fields).toEqual({ balance: { integerValue: "4" } });
  });

  it("a batch writing one document twice gives one change with the final state", async () => {
    const p = project();
    const batch = p.db.batch();
    batch.set(p.db.doc("b/x"), { v: 1 });
    batch.update(p.db.doc("b/x"), { v: 2, w: true });
    batch.set(p.db.doc("b/y"), {});
    batch.delete(p.db.doc("b/never"));
    const [first] = await batch.commit();
    const page = await feed(p);
    expect(page.changes.map(brief)).toEqual([
      [1, "b/x", false, true],
      [2, "b/y", false, true],
    ]);
    expect(page.changes[0]!.after!.fields).toEqual({ v: { integerValue: "2" }, w: { booleanValue: true } });
    expect(page.changes[0]!.commitTime).toBe(rfc3339(first!.writeTime));
  });

  it("BulkWriter (BatchWrite) writes are reported, failed ones are not", async () => {
    const p = project();
    await p.db.doc("bulk/exists").set({ v: 0 });
    const writer = p.db.bulkWriter();
    writer.onWriteError(() => false);
    void writer.set(p.db.doc("bulk/a"), { v: 1 });
    void writer.create(p.db.doc("bulk/exists"), { v: 2 }).catch(() => undefined);
    void writer.delete(p.db.doc("bulk/exists"));
    await writer.close();
    const page = await feed(p, "?after=1");
    expect(page.changes.map((c) => [c.document.split("/documents/")[1], c.after?.fields ?? null])).toEqual([
      ["bulk/a", { v: { integerValue: "1" } }],
      ["bulk/exists", null],
    ]);
  });

  it("transform-only writes are changes; writes that change nothing are not", async () => {
    const p = project();
    const ref = p.db.doc("t/d");
    await ref.set({ n: 1, tags: ["a"] });
    await ref.set({ n: 1, tags: ["a"] });
    await ref.update({ tags: FieldValue.arrayUnion("a") });
    await p.db.doc("t/missing").delete();
    expect((await feed(p, "/head")).lastSeq).toBe(1);
    const w = await ref.update({ n: FieldValue.increment(2), at: FieldValue.serverTimestamp() });
    const page = await feed(p, "?after=1");
    expect(page.changes).toHaveLength(1);
    expect(page.changes[0]!.before!.fields).toEqual({ n: { integerValue: "1" }, tags: { arrayValue: { values: [{ stringValue: "a" }] } } });
    expect(page.changes[0]!.after!.fields).toEqual({
      n: { integerValue: "3" },
      tags: { arrayValue: { values: [{ stringValue: "a" }] } },
      at: { timestampValue: rfc3339(w.writeTime) },
    });
  });

  it("a long-poll answers as soon as a write commits", async () => {
    const p = project();
    const started = Date.now();
    const pending = feed(p, "?after=0&waitMs=20000");
    await new Promise((r) => setTimeout(r, 150));
    await p.db.doc("lp/x").set({ v: 1 });
    const page = await pending;
    const elapsed = Date.now() - started;
    expect(page.changes.map(brief)).toEqual([[1, "lp/x", false, true]]);
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(5000);
  });

  it("a long-poll without writes answers empty after waitMs; without waitMs it answers at once", async () => {
    const p = project();
    await p.db.doc("lp/x").set({ v: 1 });
    let started = Date.now();
    expect(await feed(p, "?after=1&waitMs=300")).toEqual({ changes: [], lastSeq: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    started = Date.now();
    expect(await feed(p, "?after=1")).toEqual({ changes: [], lastSeq: 1 });
    expect(Date.now() - started).toBeLessThan(250);
    // Changes already there are returned without waiting.
    started = Date.now();
    expect((await feed(p, "?after=0&waitMs=20000")).changes).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("keeps the last changes only and says when a reader fell behind", async () => {
    const p = project();
    const batch = p.db.batch();
    for (let i = 0; i < CAPACITY + 10; i++) batch.set(p.db.doc(`many/d${String(i).padStart(3, "0")}`), { i });
    await batch.commit();
    const all = await feed(p);
    expect(all.truncated).toBe(true);
    expect(all.lastSeq).toBe(CAPACITY + 10);
    expect(all.changes).toHaveLength(CAPACITY);
    expect(all.changes[0]!.seq).toBe(11);
    expect(all.changes[0]!.document).toBe(`${p.root}/many/d010`);
    expect((await feed(p, "?after=9")).truncated).toBe(true);
    const caughtUp = await feed(p, "?after=10");
    expect(caughtUp.truncated).toBeUndefined();
    expect(caughtUp.changes).toHaveLength(CAPACITY);
  });

  it("head gives the sequence to start from now", async () => {
    const p = project();
    expect(await feed(p, "/head")).toEqual({ lastSeq: 0 });
    await p.db.doc("h/a").set({});
    const { lastSeq } = await feed(p, "/head");
    expect(lastSeq).toBe(1);
    await p.db.doc("h/b").set({});
    expect((await feed(p, `?after=${lastSeq}`)).changes.map(brief)).toEqual([[2, "h/b", false, true]]);
  });

  it("clearing the database emits no deletions and does not restart the sequence", async () => {
    const p = project();
    await p.db.doc("c/a").set({});
    await p.db.doc("c/b").set({});
    const res = await fetch(`http://127.0.0.1:${server.port}/emulator/v1/projects/${p.projectId}/databases/(default)/documents`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await feed(p, "/head")).toEqual({ lastSeq: 2 });
    await p.db.doc("c/a").set({ again: true });
    const page = await feed(p, "?after=2");
    // The document was cleared, so the new write is a create.
    expect(page.changes.map(brief)).toEqual([[3, "c/a", false, true]]);
  });

  it("a cursor ahead of the head (from an earlier server run) is answered at once, from the start, as truncated", async () => {
    const p = project();
    await p.db.doc("r/a").set({});
    const started = Date.now();
    const page = await feed(p, "?after=99&waitMs=20000");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(page.truncated).toBe(true);
    expect(page.lastSeq).toBe(1);
    expect(page.changes.map(brief)).toEqual([[1, "r/a", false, true]]);
  });

  it("each database has its own feed", async () => {
    const p = project();
    const other = new Firestore({ projectId: p.projectId, databaseId: "other" });
    clients.push(other);
    await other.doc("x/y").set({ v: 1 });
    await p.db.doc("x/z").set({ v: 2 });
    expect((await feed(p)).changes.map(brief)).toEqual([[1, "x/z", false, true]]);
    const otherPage = await feed(p, "", "other");
    expect(otherPage.changes.map((c) => c.document)).toEqual([`projects/${p.projectId}/databases/other/documents/x/y`]);
  });

  it("malformed parameters are refused with 400", async () => {
    const p = project();
    for (const query of ["?after=-1", "?after=abc", "?waitMs=1.5", "?after=1e3"]) {
      const res = await fetch(p.feedUrl(query));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(400);
    }
  });
});
