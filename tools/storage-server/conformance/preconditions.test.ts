/** Generation and metageneration preconditions on writes, patches, deletes, copies and reads. */
import type { Bucket } from "@google-cloud/storage";
import { bucketFactory, newStorage, objectUrl } from "./helpers";

const storage = newStorage();
const buckets = bucketFactory(storage);
let bucket: Bucket;

beforeAll(async () => {
  bucket = await buckets.create("pre");
});
afterAll(() => buckets.cleanup());

async function generationOf(name: string): Promise<string> {
  return (await bucket.file(name).getMetadata())[0].generation as string;
}

describe("preconditions", () => {
  it("ifGenerationMatch=0 creates only when absent, then fails with 412 conditionNotMet", async () => {
    const file = bucket.file("create-only");
    await file.save("first", { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
    const err = await file.save("second", { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 412 });
    expect((err as { errors: { reason: string }[] }).errors[0]!.reason).toBe("conditionNotMet");
    expect((await file.download())[0].toString()).toBe("first");
  });

  it("ifGenerationMatch on resumable uploads", async () => {
    const file = bucket.file("resumable-pre");
    await file.save("v1", { resumable: false });
    const gen = await generationOf("resumable-pre");
    await file.save("v2", { resumable: true, preconditionOpts: { ifGenerationMatch: Number(gen) } });
    await expect(file.save("v3", { resumable: true, preconditionOpts: { ifGenerationMatch: Number(gen) } })).rejects.toBeTruthy();
    expect((await file.download())[0].toString()).toBe("v2");
  });

  it("ifGenerationNotMatch and ifMetagenerationMatch / NotMatch on uploads", async () => {
    const file = bucket.file("gen-not");
    await file.save("a", { resumable: false });
    const gen = await generationOf("gen-not");
    await expect(file.save("b", { resumable: false, preconditionOpts: { ifGenerationNotMatch: Number(gen) } })).rejects.toMatchObject({ code: 412 });
    await expect(file.save("b", { resumable: false, preconditionOpts: { ifMetagenerationMatch: 5 } })).rejects.toMatchObject({ code: 412 });
    await expect(file.save("b", { resumable: false, preconditionOpts: { ifMetagenerationNotMatch: 1 } })).rejects.toMatchObject({ code: 412 });
    await file.save("b", { resumable: false, preconditionOpts: { ifMetagenerationMatch: 1 } });
    expect((await file.download())[0].toString()).toBe("b");
  });

  it("metadata patch honours ifMetagenerationMatch and bumps metageneration", async () => {
    const file = bucket.file("patch-pre");
    await file.save("x", { resumable: false });
    const [patched] = await file.setMetadata({ metadata: { k: "v" } }, { ifMetagenerationMatch: 1 });
    expect(patched.metageneration).toBe("2");
    await expect(file.setMetadata({ metadata: { k: "w" } }, { ifMetagenerationMatch: 1 })).rejects.toMatchObject({ code: 412 });
    await expect(file.setMetadata({ metadata: { k: "w" } }, { ifGenerationMatch: 1 })).rejects.toMatchObject({ code: 412 });
  });

  it("delete honours ifGenerationMatch", async () => {
    const file = bucket.file("delete-pre");
    await file.save("x", { resumable: false });
    const gen = await generationOf("delete-pre");
    await expect(file.delete({ ifGenerationMatch: Number(gen) + 1 })).rejects.toMatchObject({ code: 412 });
    await file.delete({ ifGenerationMatch: Number(gen) });
    expect((await file.exists())[0]).toBe(false);
  });

  it("copy honours destination ifGenerationMatch=0", async () => {
    await bucket.file("copy-src").save("src", { resumable: false });
    await bucket.file("copy-dst").save("dst", { resumable: false });
    await expect(bucket.file("copy-src").copy(bucket.file("copy-dst"), { preconditionOpts: { ifGenerationMatch: 0 } })).rejects.toMatchObject({ code: 412 });
    await bucket.file("copy-src").copy(bucket.file("copy-new"), { preconditionOpts: { ifGenerationMatch: 0 } });
    expect((await bucket.file("copy-new").download())[0].toString()).toBe("src");
  });

  it("reads: ifGenerationNotMatch on the current generation is 304; ifGenerationMatch mismatch is 412", async () => {
    await bucket.file("read-pre").save("r", { resumable: false });
    const gen = await generationOf("read-pre");
    const notModified = await fetch(objectUrl(bucket.name, "read-pre", `alt=media&ifGenerationNotMatch=${gen}`));
    expect(notModified.status).toBe(304);
    const failed = await fetch(objectUrl(bucket.name, "read-pre", `ifGenerationMatch=${BigInt(gen) + 1n}`));
    expect(failed.status).toBe(412);
    expect(((await failed.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]!.reason).toBe("conditionNotMet");
  });

  it("a generation that is not the live one is not found", async () => {
    await bucket.file("old-gen").save("1", { resumable: false });
    const gen = await generationOf("old-gen");
    await bucket.file("old-gen").save("2", { resumable: false });
    const res = await fetch(objectUrl(bucket.name, "old-gen", `generation=${gen}`));
    expect(res.status).toBe(404);
    await res.arrayBuffer();
  });
});
