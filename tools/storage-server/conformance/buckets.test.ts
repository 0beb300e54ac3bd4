/** Buckets: create, get, list, patch labels, delete (refused while not empty), error shapes. */
import { getStorage } from "firebase-admin/storage";
import { deleteApp, initializeApp } from "firebase-admin/app";
import { bucketFactory, emulatorUrl, newStorage, uid, PROJECT_ID } from "./helpers";

const storage = newStorage();
const buckets = bucketFactory(storage);

afterAll(() => buckets.cleanup());

describe("buckets", () => {
  it("creates a bucket with location, storage class and labels, and reads them back", async () => {
    const name = `meta-${uid()}`;
    const [bucket] = await storage.createBucket(name, { location: "EUROPE-WEST1", storageClass: "NEARLINE", labels: { team: "rag" } } as never);
    try {
      const [meta] = await bucket.getMetadata();
      expect(meta).toMatchObject({ kind: "storage#bucket", name, location: "EUROPE-WEST1", storageClass: "NEARLINE", labels: { team: "rag" } });
      expect(typeof meta.timeCreated).toBe("string");
      expect(meta.metageneration).toBe("1");
    } finally {
      await bucket.delete();
    }
  });

  it("defaults to STANDARD storage and answers exists() for present and absent buckets", async () => {
    const bucket = await buckets.create();
    const [meta] = await bucket.getMetadata();
    expect(meta.storageClass).toBe("STANDARD");
    expect((await bucket.exists())[0]).toBe(true);
    expect((await storage.bucket(`absent-${uid()}`).exists())[0]).toBe(false);
  });

  it("refuses a second bucket with the same name (409)", async () => {
    const bucket = await buckets.create();
    await expect(storage.createBucket(bucket.name)).rejects.toMatchObject({ code: 409 });
  });

  it("lists buckets including new ones", async () => {
    const a = await buckets.create("list");
    const b = await buckets.create("list");
    const [all] = await storage.getBuckets();
    const names = all.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining([a.name, b.name]));
  });

  it("patches labels and increments metageneration", async () => {
    const bucket = await buckets.create();
    const [meta] = await bucket.setMetadata({ labels: { env: "test" } });
    expect(meta.labels).toEqual({ env: "test" });
    expect(meta.metageneration).toBe("2");
  });

  it("refuses to delete a non-empty bucket with 409 and deletes it once empty", async () => {
    const [bucket] = await storage.createBucket(`del-${uid()}`);
    await bucket.file("x").save("x", { resumable: false });
    await expect(bucket.delete()).rejects.toMatchObject({ code: 409 });
    await bucket.file("x").delete();
    await bucket.delete();
    expect((await bucket.exists())[0]).toBe(false);
  });

  it("answers a missing bucket with the JSON API error envelope", async () => {
    const res = await fetch(`${emulatorUrl()}/storage/v1/b/absent-${uid()}`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: number; errors: { reason: string; domain: string }[] } };
    expect(body.error.code).toBe(404);
    expect(body.error.errors[0]).toMatchObject({ reason: "notFound", domain: "global" });
  });

  it("accepts JSON API paths with and without the /storage/v1 prefix", async () => {
    const bucket = await buckets.create();
    const base = emulatorUrl();
    const prefixed = await fetch(`${base}/storage/v1/b/${bucket.name}`);
    const bare = await fetch(`${base}/b/${bucket.name}`);
    expect(prefixed.status).toBe(200);
    expect(bare.status).toBe(200);
    expect(((await bare.json()) as { name: string }).name).toBe(bucket.name);
    await prefixed.arrayBuffer();
  });

  it("is reachable through firebase-admin/storage", async () => {
    const bucket = await buckets.create("admin");
    const app = initializeApp({ projectId: PROJECT_ID, storageBucket: bucket.name }, `admin-${uid()}`);
    try {
      const adminBucket = getStorage(app).bucket();
      await adminBucket.file("from-admin.txt").save("hi from admin", { resumable: false });
      const [data] = await bucket.file("from-admin.txt").download();
      expect(data.toString()).toBe("hi from admin");
    } finally {
      await deleteApp(app);
    }
  });
});
