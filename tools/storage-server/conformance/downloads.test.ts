/** Media downloads: validation headers, ranges, the /download path, gzip transcoding. */
import { gzipSync } from "node:zlib";
import type { Bucket } from "@google-cloud/storage";
import { bucketFactory, emulatorUrl, newStorage, randomData } from "./helpers";

const storage = newStorage();
const buckets = bucketFactory(storage);
let bucket: Bucket;
const data = randomData(100_000);

beforeAll(async () => {
  bucket = await buckets.create("down");
  await bucket.file("blob.bin").save(data, { resumable: false, contentType: "application/octet-stream" });
});
afterAll(() => buckets.cleanup());

describe("downloads", () => {
  it("alt=media answers the bytes with x-goog-hash, x-goog-generation and stored encoding headers", async () => {
    const [meta] = await bucket.file("blob.bin").getMetadata();
    const res = await fetch(`${emulatorUrl()}/storage/v1/b/${bucket.name}/o/blob.bin?alt=media`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-goog-hash")).toBe(`crc32c=${meta.crc32c},md5=${meta.md5Hash}`);
    expect(res.headers.get("x-goog-generation")).toBe(meta.generation);
    expect(res.headers.get("x-goog-stored-content-encoding")).toBe("identity");
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
  });

  it("the /download/storage/v1 form and the mediaLink serve the same bytes", async () => {
    const [meta] = await bucket.file("blob.bin").getMetadata();
    const viaDownload = await fetch(`${emulatorUrl()}/download/storage/v1/b/${bucket.name}/o/blob.bin?alt=media`);
    expect(Buffer.from(await viaDownload.arrayBuffer()).equals(data)).toBe(true);
    const viaLink = await fetch(meta.mediaLink!);
    expect(Buffer.from(await viaLink.arrayBuffer()).equals(data)).toBe(true);
  });

  it("the client downloads and validates the whole object", async () => {
    const [body] = await bucket.file("blob.bin").download({ validation: "crc32c" });
    expect(body.equals(data)).toBe(true);
    const [md5Checked] = await bucket.file("blob.bin").download({ validation: "md5" });
    expect(md5Checked.equals(data)).toBe(true);
  });

  it("range reads through the client (start/end, tail)", async () => {
    const [part] = await bucket.file("blob.bin").download({ start: 10, end: 19 });
    expect(part.equals(data.subarray(10, 20))).toBe(true);
    const [tail] = await bucket.file("blob.bin").download({ end: -5 } as never);
    expect(tail.equals(data.subarray(data.length - 5))).toBe(true);
  });

  it("a Range request answers 206 with Content-Range; an unsatisfiable one 416", async () => {
    const url = `${emulatorUrl()}/storage/v1/b/${bucket.name}/o/blob.bin?alt=media`;
    const res = await fetch(url, { headers: { range: "bytes=100-199" } });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes 100-199/${data.length}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(data.subarray(100, 200))).toBe(true);
    const bad = await fetch(url, { headers: { range: `bytes=${data.length + 10}-` } });
    expect(bad.status).toBe(416);
    await bad.arrayBuffer();
  });

  it("a missing object is a 404 for the client", async () => {
    await expect(bucket.file("absent").download()).rejects.toMatchObject({ code: 404 });
  });

  it("gzip content encoding: decompressed unless the request accepts gzip; the client reads it transparently", async () => {
    const text = "compressible ".repeat(500);
    const file = bucket.file("text.txt");
    await file.save(text, { resumable: false, gzip: true, contentType: "text/plain" });
    const [meta] = await file.getMetadata();
    expect(meta.contentEncoding).toBe("gzip");
    expect(Number(meta.size)).toBeLessThan(text.length);
    const [viaClient] = await file.download();
    expect(viaClient.toString()).toBe(text);
    const url = `${emulatorUrl()}/storage/v1/b/${bucket.name}/o/text.txt?alt=media`;
    // Node's fetch always sends Accept-Encoding: gzip and decodes; use explicit headers.
    const identity = await fetch(url, { headers: { "accept-encoding": "identity" } });
    expect(identity.headers.get("content-encoding")).toBeNull();
    expect(identity.headers.get("x-goog-stored-content-encoding")).toBe("gzip");
    expect(await identity.text()).toBe(text);
    const http = await import("node:http");
    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      http.get(url, { headers: { "accept-encoding": "gzip" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve({ encoding: res.headers["content-encoding"], body: Buffer.concat(chunks) })).on("error", reject);
      });
    });
    expect(raw.encoding).toBe("gzip");
    expect(raw.body.equals(gzipSync(text)) || raw.body.length === Number(meta.size)).toBe(true);
  });
});
