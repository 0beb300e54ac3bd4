/**
 * V4 signed URLs made by the real client with a service-account key generated at run time;
 * the server trusts only that key's public half.
 */
import { generateKeyPairSync } from "node:crypto";
import type { Bucket, Storage } from "@google-cloud/storage";
import { Storage as GcStorage } from "@google-cloud/storage";
import { startHarness, type Harness } from "./server-harness";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const CLIENT_EMAIL = "signer@demo-test.iam.gserviceaccount.com";
const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const MiB = 1024 * 1024;

let h: Harness;
let signer: Storage;
let bucket: Bucket;
let clock = Date.now();

beforeAll(async () => {
  h = await startHarness({ signingKeys: [JSON.stringify({ client_email: CLIENT_EMAIL, public_key: publicKey.export({ type: "spki", format: "pem" }).toString() })], now: () => clock });
  signer = new GcStorage({ projectId: "demo-test", credentials: { client_email: CLIENT_EMAIL, private_key: privatePem } });
  [bucket] = await h.storage.createBucket("signed-bucket");
});
afterAll(() => h.stop());
beforeEach(() => {
  clock = Date.now();
});

const writeUrl = (name: string, contentType = "text/plain"): Promise<string> =>
  signer
    .bucket(bucket.name)
    .file(name)
    .getSignedUrl({ version: "v4", action: "write", expires: Date.now() + 15 * 60_000, contentType, extensionHeaders: { "x-goog-content-length-range": `0,${MiB}` } })
    .then(([u]) => u);

const put = (url: string, body: Buffer | string, contentType = "text/plain"): Promise<Response> =>
  fetch(url, { method: "PUT", headers: { "content-type": contentType, "x-goog-content-length-range": `0,${MiB}` }, body });

describe("V4 signed URLs", () => {
  it("targets the XML path /{bucket}/{object} on the emulator host", async () => {
    const url = new URL(await writeUrl("dir/a b.txt"));
    expect(url.origin).toBe(h.server.url);
    expect(url.pathname).toBe(`/${bucket.name}/dir/a%20b.txt`);
    expect(url.searchParams.get("X-Goog-Algorithm")).toBe("GOOG4-RSA-SHA256");
  });

  it("a valid signed PUT uploads and a valid signed GET downloads", async () => {
    const res = await put(await writeUrl("dir/a b.txt"), "signed upload");
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const [meta] = await bucket.file("dir/a b.txt").getMetadata();
    expect(meta).toMatchObject({ size: "13", contentType: "text/plain" });
    const [readUrl] = await signer.bucket(bucket.name).file("dir/a b.txt").getSignedUrl({ version: "v4", action: "read", expires: Date.now() + 60_000 });
    const got = await fetch(readUrl);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe("signed upload");
  });

  it("an expired URL is refused with ExpiredToken", async () => {
    const [readUrl] = await signer.bucket(bucket.name).file("dir/a b.txt").getSignedUrl({ version: "v4", action: "read", expires: Date.now() + 60_000 });
    clock = Date.now() + 2 * 60_000;
    const res = await fetch(readUrl);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>ExpiredToken</Code>");
  });

  it("a tampered signature or query is refused with 403 SignatureDoesNotMatch", async () => {
    const [readUrl] = await signer.bucket(bucket.name).file("dir/a b.txt").getSignedUrl({ version: "v4", action: "read", expires: Date.now() + 60_000 });
    const url = new URL(readUrl);
    const sig = url.searchParams.get("X-Goog-Signature")!;
    url.searchParams.set("X-Goog-Signature", (sig[0] === "a" ? "b" : "a") + sig.slice(1));
    const tampered = await fetch(url);
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain("SignatureDoesNotMatch");
    const otherObject = await fetch(readUrl.replace("/dir/a%20b.txt", "/dir/other.txt"));
    expect(otherObject.status).toBe(403);
    await otherObject.arrayBuffer();
  });

  it("a URL signed by an untrusted key is refused", async () => {
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const other = new GcStorage({ projectId: "demo-test", credentials: { client_email: CLIENT_EMAIL, private_key: stranger } });
    const [readUrl] = await other.bucket(bucket.name).file("dir/a b.txt").getSignedUrl({ version: "v4", action: "read", expires: Date.now() + 60_000 });
    const res = await fetch(readUrl);
    expect(res.status).toBe(403);
    await res.arrayBuffer();
  });

  it("a content type other than the signed one is refused", async () => {
    const res = await put(await writeUrl("typed.txt", "text/plain"), "x", "application/json");
    expect(res.status).toBe(403);
    await res.arrayBuffer();
    expect((await bucket.file("typed.txt").exists())[0]).toBe(false);
  });

  it("a body larger than x-goog-content-length-range is refused with EntityTooLarge", async () => {
    const res = await put(await writeUrl("big.txt"), Buffer.alloc(MiB + 1, 1));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>EntityTooLarge</Code>");
    expect((await bucket.file("big.txt").exists())[0]).toBe(false);
  });

  it("a body smaller than the range minimum is refused with EntityTooSmall", async () => {
    const [url] = await signer
      .bucket(bucket.name)
      .file("small.txt")
      .getSignedUrl({ version: "v4", action: "write", expires: Date.now() + 60_000, contentType: "text/plain", extensionHeaders: { "x-goog-content-length-range": "10,100" } });
    const res = await fetch(url, { method: "PUT", headers: { "content-type": "text/plain", "x-goog-content-length-range": "10,100" }, body: "tiny" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>EntityTooSmall</Code>");
  });
});
