/**
 * What lives on disk: corruption of stored bytes is caught by the client's download validation,
 * data survives a restart, and the reset endpoint clears everything.
 */
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { objectDataPath } from "../src";
import { startHarness } from "./server-harness";

const dataDir = mkdtempSync(join(tmpdir(), "storage-server-disk-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("on-disk storage", () => {
  it("detects a corrupted stored byte through the client's crc32c validation", async () => {
    const h = await startHarness({ dataDir });
    try {
      const [bucket] = await h.storage.createBucket("corrupt-bucket");
      const file = bucket.file("victim.bin");
      await file.save(Buffer.alloc(4096, 0x41), { resumable: false });
      const [meta] = await file.getMetadata();
      const fd = openSync(objectDataPath(dataDir, bucket.name, file.name, meta.generation as string), "r+");
      writeSync(fd, Buffer.from([0x42]), 0, 1, 2000);
      closeSync(fd);
      await expect(file.download()).rejects.toMatchObject({ code: "CONTENT_DOWNLOAD_MISMATCH" });
    } finally {
      await h.stop();
    }
  });

  it("keeps buckets, objects and metadata across a restart", async () => {
    const first = await startHarness({ dataDir });
    const [bucket] = await first.storage.createBucket("durable-bucket");
    await bucket.file("keep.txt").save("kept", { resumable: false, metadata: { metadata: { a: "1" } } });
    const [before] = await bucket.file("keep.txt").getMetadata();
    await first.stop();
    const second = await startHarness({ dataDir });
    try {
      const file = second.storage.bucket("durable-bucket").file("keep.txt");
      const [after] = await file.getMetadata();
      expect(after).toMatchObject({ generation: before.generation, metadata: { a: "1" }, crc32c: before.crc32c });
      expect((await file.download())[0].toString()).toBe("kept");
      await file.save("newer", { resumable: false });
      expect(BigInt((await file.getMetadata())[0].generation as string)).toBeGreaterThan(BigInt(before.generation as string));
    } finally {
      await second.stop();
    }
  });

  it("DELETE /_reset and POST /internal/reset clear all buckets; GET / is a health check", async () => {
    const h = await startHarness();
    try {
      expect(await (await fetch(`${h.server.url}/`)).text()).toBe("OK");
      await h.storage.createBucket("reset-bucket");
      expect((await (await fetch(`${h.server.url}/_reset`, { method: "DELETE" })).json())).toEqual({});
      expect((await h.storage.bucket("reset-bucket").exists())[0]).toBe(false);
      await h.storage.createBucket("reset-bucket");
      await (await fetch(`${h.server.url}/internal/reset`, { method: "POST" })).arrayBuffer();
      const [all] = await h.storage.getBuckets();
      expect(all).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});
