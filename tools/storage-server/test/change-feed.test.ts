/** The change feed contract the local event relay consumes: GET /emulator/v1/changes. */
import type { Bucket } from "@google-cloud/storage";
import type { ChangesPage } from "../src";
import { startHarness, type Harness } from "./server-harness";

let h: Harness;
let bucket: Bucket;

beforeAll(async () => {
  h = await startHarness({ changeFeedCapacity: 5 });
  [bucket] = await h.storage.createBucket("feed-bucket");
});
afterAll(() => h.stop());

async function changes(after: number, waitMs = 0): Promise<ChangesPage> {
  const res = await fetch(`${h.server.url}/emulator/v1/changes?after=${after}&waitMs=${waitMs}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ChangesPage;
}

describe("change feed", () => {
  it("reports finalize, metadata update and delete in seq order with the object resource", async () => {
    const start = (await changes(0)).lastSeq;
    const file = bucket.file("doc.txt");
    await file.save("v1", { resumable: false });
    await file.setMetadata({ metadata: { k: "v" } });
    await file.delete();
    const page = await changes(start);
    expect(page.changes.map((c) => c.kind)).toEqual(["finalized", "metadataUpdated", "deleted"]);
    expect(page.changes.map((c) => c.seq)).toEqual([start + 1, start + 2, start + 3]);
    expect(page.changes[0]!).toMatchObject({ bucket: "feed-bucket", object: { kind: "storage#object", name: "doc.txt", size: "2", metageneration: "1" } });
    expect(page.changes[1]!.object).toMatchObject({ metageneration: "2", metadata: { k: "v" } });
    expect(page.lastSeq).toBe(start + 3);
  });

  it("an overwrite is finalized for the new generation, then deleted for the replaced one", async () => {
    const file = bucket.file("over.txt");
    await file.save("old", { resumable: false });
    const [old] = await file.getMetadata();
    const start = (await changes(0)).lastSeq;
    await file.save("new", { resumable: false });
    const [current] = await file.getMetadata();
    const page = await changes(start);
    expect(page.changes.map((c) => [c.kind, c.object["generation"]])).toEqual([
      ["finalized", current.generation],
      ["deleted", old.generation],
    ]);
  });

  it("long-polls: returns as soon as a change arrives, or empty after waitMs", async () => {
    const start = (await changes(0)).lastSeq;
    const t0 = Date.now();
    const empty = await changes(start, 150);
    expect(empty).toEqual({ changes: [], lastSeq: start });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const waiting = changes(start, 10_000);
    await new Promise((r) => setTimeout(r, 50));
    await bucket.file("poll.txt").save("x", { resumable: false });
    const page = await waiting;
    expect(page.changes[0]).toMatchObject({ kind: "finalized", object: { name: "poll.txt" } });
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("flags truncated when `after` is older than the ring keeps", async () => {
    for (let i = 0; i < 6; i++) await bucket.file(`ring-${i}`).save("x", { resumable: false });
    const page = await changes(0);
    expect(page.truncated).toBe(true);
    expect(page.changes.length).toBe(5);
    const recent = await changes(page.lastSeq - 1);
    expect(recent.truncated).toBeUndefined();
  });
});
