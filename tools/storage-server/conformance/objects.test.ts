/** Metadata patch/update, delete, copy and rewrite (also across buckets), compose, notifications. */
import type { Bucket } from "@google-cloud/storage";
import { bucketFactory, emulatorUrl, newStorage, randomData } from "./helpers";

const storage = newStorage();
const buckets = bucketFactory(storage);
let bucket: Bucket;
let other: Bucket;

beforeAll(async () => {
  bucket = await buckets.create("obj");
  other = await buckets.create("obj2");
});
afterAll(() => buckets.cleanup());

describe("object operations", () => {
  it("patch merges custom metadata, removes keys set to null, keeps the generation", async () => {
    const file = bucket.file("patch.txt");
    await file.save("x", { resumable: false, metadata: { metadata: { a: "1", b: "2" } } });
    const [before] = await file.getMetadata();
    const [after] = await file.setMetadata({ contentType: "text/plain", cacheControl: "public, max-age=60", metadata: { b: null, c: "3" } });
    expect(after.metadata).toEqual({ a: "1", c: "3" });
    expect(after).toMatchObject({ contentType: "text/plain", cacheControl: "public, max-age=60", generation: before.generation, metageneration: "2" });
    expect(after.etag).not.toBe(before.etag);
  });

  it("delete removes the object; deleting again is 404", async () => {
    const file = bucket.file("gone.txt");
    await file.save("x", { resumable: false });
    await file.delete();
    expect((await file.exists())[0]).toBe(false);
    await expect(file.delete()).rejects.toMatchObject({ code: 404 });
  });

  it("copy within and across buckets keeps bytes and metadata", async () => {
    const data = randomData(50_000);
    const src = bucket.file("copy/src.bin");
    await src.save(data, { resumable: false, metadata: { contentType: "application/x-src", metadata: { k: "v" } } });
    await src.copy(bucket.file("copy/dst.bin"));
    await src.copy(other.file("elsewhere.bin"));
    for (const f of [bucket.file("copy/dst.bin"), other.file("elsewhere.bin")]) {
      const [meta] = await f.getMetadata();
      expect(meta).toMatchObject({ contentType: "application/x-src", metadata: { k: "v" }, size: "50000" });
      expect((await f.download())[0].equals(data)).toBe(true);
    }
  });

  it("copyTo over the wire answers the new object resource", async () => {
    await bucket.file("ct-src").save("copied", { resumable: false });
    const res = await fetch(`${emulatorUrl()}/storage/v1/b/${bucket.name}/o/ct-src/copyTo/b/${other.name}/o/ct-dst`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: "storage#object", bucket: other.name, name: "ct-dst", size: "6" });
  });

  it("rewrite loops with rewriteToken until done when maxBytesRewrittenPerCall is small", async () => {
    const data = randomData(2 * 1024 * 1024 + 5);
    await bucket.file("big-src").save(data, { resumable: false });
    const url = `${emulatorUrl()}/storage/v1/b/${bucket.name}/o/big-src/rewriteTo/b/${other.name}/o/big-dst`;
    let token: string | undefined;
    let calls = 0;
    for (;;) {
      const res = await fetch(`${url}?maxBytesRewrittenPerCall=1048576${token ? `&rewriteToken=${encodeURIComponent(token)}` : ""}`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
      const body = (await res.json()) as { done: boolean; rewriteToken?: string; totalBytesRewritten: string; objectSize: string; resource?: { size: string } };
      calls++;
      expect(body.objectSize).toBe(String(data.length));
      if (body.done) {
        expect(body.resource!.size).toBe(String(data.length));
        break;
      }
      expect(Number(body.totalBytesRewritten)).toBe(calls * 1048576);
      token = body.rewriteToken;
    }
    expect(calls).toBeGreaterThan(1);
    expect((await other.file("big-dst").download())[0].equals(data)).toBe(true);
  });

  it("compose concatenates sources", async () => {
    await bucket.file("part-1").save("hello ", { resumable: false });
    await bucket.file("part-2").save("world", { resumable: false });
    await bucket.combine([bucket.file("part-1"), bucket.file("part-2")], bucket.file("combined.txt"));
    expect((await bucket.file("combined.txt").download())[0].toString()).toBe("hello world");
  });

  it("notification configs can be created, listed, read and deleted", async () => {
    const [notification] = await bucket.createNotification("projects/demo-conformance/topics/uploads", { eventTypes: ["OBJECT_FINALIZE"], objectNamePrefix: "in/" });
    expect(notification.id).toBeTruthy();
    const [listed] = await bucket.getNotifications();
    expect(listed.map((n) => n.id)).toContain(notification.id);
    const [meta] = await notification.getMetadata();
    expect(meta).toMatchObject({ topic: "//pubsub.googleapis.com/projects/demo-conformance/topics/uploads", event_types: ["OBJECT_FINALIZE"], object_name_prefix: "in/" });
    await notification.delete();
    expect((await notification.exists())[0]).toBe(false);
  });

  it("invalid requests answer 400 with reason invalid or required", async () => {
    const res = await fetch(`${emulatorUrl()}/upload/storage/v1/b/${bucket.name}/o?uploadType=media`, { method: "POST", body: "no name" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]!.reason).toMatch(/^(required|invalid)$/);
    const badBucket = await fetch(`${emulatorUrl()}/storage/v1/b?project=demo-conformance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Bad Name!" }) });
    expect(badBucket.status).toBe(400);
    await badBucket.arrayBuffer();
  });
});
