/** Simple, multipart and resumable uploads, and the metadata computed from the bytes. */
import { createHash } from "node:crypto";
import * as http from "node:http";
import { CRC32C } from "@google-cloud/storage";
import type { Bucket } from "@google-cloud/storage";
import { bucketFactory, emulatorUrl, newStorage, randomData } from "./helpers";

const storage = newStorage();
const buckets = bucketFactory(storage);
let bucket: Bucket;

beforeAll(async () => {
  bucket = await buckets.create("up");
});
afterAll(() => buckets.cleanup());

const crc32cOf = (data: Buffer): string => {
  const c = new CRC32C();
  c.update(data);
  return c.toString();
};
const md5Of = (data: Buffer): string => createHash("md5").update(data).digest("base64");

/** Sends part of a body to a resumable session URI, then drops the connection. */
async function sendThenDrop(uri: string, head: Buffer, total: number): Promise<void> {
  const req = http.request(uri, { method: "PUT", headers: { "content-range": `bytes 0-${total - 1}/${total}`, "content-length": String(total) } });
  req.on("error", () => undefined);
  await new Promise<void>((resolve) => req.write(head, () => resolve()));
  // Wait until the server holds some of the bytes before pulling the plug.
  for (let i = 0; i < 100; i++) {
    const status = await statusQuery(uri);
    if (status.range) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  req.destroy();
  await new Promise((r) => setTimeout(r, 100));
}

async function statusQuery(uri: string): Promise<{ status: number; range: string | null }> {
  const res = await fetch(uri, { method: "PUT", headers: { "content-range": "bytes */*" } });
  await res.arrayBuffer();
  return { status: res.status, range: res.headers.get("range") };
}

describe("uploads", () => {
  it("simple upload stores bytes with size, crc32c, md5Hash, generation and the object resource fields", async () => {
    const data = randomData(10_000);
    const file = bucket.file("simple.bin");
    await file.save(data, { resumable: false, contentType: "application/x-test" });
    const [meta] = await file.getMetadata();
    expect(meta).toMatchObject({
      kind: "storage#object",
      name: "simple.bin",
      bucket: bucket.name,
      size: "10000",
      contentType: "application/x-test",
      crc32c: crc32cOf(data),
      md5Hash: md5Of(data),
      metageneration: "1",
      storageClass: "STANDARD",
    });
    expect(meta.generation).toMatch(/^\d+$/);
    expect(meta.id).toBe(`${bucket.name}/simple.bin/${meta.generation}`);
    for (const k of ["etag", "selfLink", "mediaLink", "timeCreated", "updated"]) expect(typeof (meta as Record<string, unknown>)[k]).toBe("string");
    expect((await file.download())[0].equals(data)).toBe(true);
  });

  it("multipart upload carries contentType, cacheControl, contentDisposition and custom metadata", async () => {
    const file = bucket.file("multi/part.txt");
    await file.save("multipart body", {
      resumable: false,
      metadata: { contentType: "text/plain", cacheControl: "no-cache", contentDisposition: "inline", metadata: { owner: "ada", n: "1" } },
    });
    const [meta] = await file.getMetadata();
    expect(meta).toMatchObject({ contentType: "text/plain", cacheControl: "no-cache", contentDisposition: "inline", metadata: { owner: "ada", n: "1" }, size: "14" });
    expect((await file.download())[0].toString()).toBe("multipart body");
  });

  it("simple media upload (uploadType=media) over the wire", async () => {
    const res = await fetch(`${emulatorUrl()}/upload/storage/v1/b/${bucket.name}/o?uploadType=media&name=${encodeURIComponent("raw/media.txt")}`, {
      method: "POST",
      headers: { "content-type": "text/markdown" },
      body: "# media",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({ name: "raw/media.txt", size: "7", contentType: "text/markdown", crc32c: crc32cOf(Buffer.from("# media")) });
  });

  it("overwriting gives a new, larger generation and resets metageneration", async () => {
    const file = bucket.file("gen.txt");
    await file.save("one", { resumable: false });
    const [m1] = await file.getMetadata();
    await file.setMetadata({ metadata: { x: "1" } });
    await file.save("two", { resumable: false });
    const [m2] = await file.getMetadata();
    expect(BigInt(m2.generation!)).toBeGreaterThan(BigInt(m1.generation!));
    expect(m2.metageneration).toBe("1");
  });

  it("resumable upload in one request and in several chunks", async () => {
    const data = randomData(1024 * 1024 + 12_345);
    await bucket.file("resumable-one").save(data, { resumable: true });
    await bucket.file("resumable-chunks").save(data, { resumable: true, chunkSize: 256 * 1024 });
    for (const name of ["resumable-one", "resumable-chunks"]) {
      const [meta] = await bucket.file(name).getMetadata();
      expect(meta.size).toBe(String(data.length));
      expect(meta.crc32c).toBe(crc32cOf(data));
      expect((await bucket.file(name).download())[0].equals(data)).toBe(true);
    }
  });

  it("resumable protocol: Location session URI, 308 with Range per chunk and on status queries, 200 on the last chunk", async () => {
    const file = bucket.file("protocol.bin");
    const [uri] = await file.createResumableUpload({ metadata: { contentType: "application/x-proto" } });
    expect(uri).toMatch(/upload_id=/);
    expect(await statusQuery(uri)).toEqual({ status: 308, range: null });
    const data = randomData(300);
    const first = await fetch(uri, { method: "PUT", headers: { "content-range": "bytes 0-99/*" }, body: data.subarray(0, 100) });
    expect(first.status).toBe(308);
    expect(first.headers.get("range")).toBe("bytes=0-99");
    expect(await statusQuery(uri)).toEqual({ status: 308, range: "bytes=0-99" });
    const sized = await fetch(uri, { method: "PUT", headers: { "content-range": "bytes */300" } });
    expect(sized.status).toBe(308);
    expect(sized.headers.get("range")).toBe("bytes=0-99");
    const last = await fetch(uri, { method: "PUT", headers: { "content-range": "bytes 100-299/300" }, body: data.subarray(100) });
    expect([200, 201]).toContain(last.status);
    const body = (await last.json()) as Record<string, string>;
    expect(body).toMatchObject({ name: "protocol.bin", size: "300", contentType: "application/x-proto", crc32c: crc32cOf(data) });
  });

  it("a resumable upload survives a dropped connection and resumes byte-identical through the client", async () => {
    const data = randomData(2 * 1024 * 1024);
    const file = bucket.file("dropped.bin");
    const [uri] = await file.createResumableUpload();
    await sendThenDrop(uri, data.subarray(0, 700 * 1024), data.length);
    const before = await statusQuery(uri);
    expect(before.status).toBe(308);
    const persisted = Number(before.range!.split("-")[1]) + 1;
    expect(persisted).toBeGreaterThan(0);
    expect(persisted).toBeLessThan(data.length);
    await new Promise<void>((resolve, reject) => {
      file.createWriteStream({ resumable: true, uri }).on("error", reject).on("finish", resolve).end(data);
    });
    const [meta] = await file.getMetadata();
    expect(meta.size).toBe(String(data.length));
    expect(meta.crc32c).toBe(crc32cOf(data));
    expect((await file.download())[0].equals(data)).toBe(true);
  });

  it("a zero-byte object has the hashes of empty content", async () => {
    const file = bucket.file("empty");
    await file.save(Buffer.alloc(0), { resumable: false });
    const [meta] = await file.getMetadata();
    expect(meta).toMatchObject({ size: "0", crc32c: "AAAAAA==", md5Hash: md5Of(Buffer.alloc(0)) });
    expect((await file.download())[0].length).toBe(0);
  });

  it("refuses an upload whose declared crc32c does not match the bytes", async () => {
    const boundary = "xyzzy";
    const meta = JSON.stringify({ name: "bad-hash.txt", crc32c: crc32cOf(Buffer.from("other")) });
    const body = `--${boundary}\r\nContent-Type: application/json\r\n\r\n${meta}\r\n--${boundary}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--`;
    const res = await fetch(`${emulatorUrl()}/upload/storage/v1/b/${bucket.name}/o?uploadType=multipart`, {
      method: "POST",
      headers: { "content-type": `multipart/related; boundary=${boundary}` },
      body,
    });
    expect(res.status).toBe(400);
    await res.arrayBuffer();
    expect((await bucket.file("bad-hash.txt").exists())[0]).toBe(false);
  });
});
