/** Object listing: prefix, delimiter, paging, offsets, matchGlob, partial responses. */
import type { Bucket } from "@google-cloud/storage";
import { bucketFactory, emulatorUrl, newStorage } from "./helpers";

const storage = newStorage();
const buckets = bucketFactory(storage);
let bucket: Bucket;
const NAMES = ["a.txt", "b.json", "dir/1.txt", "dir/2.txt", "dir/sub/3.txt", "dir2/4.txt", "z.txt"];

beforeAll(async () => {
  bucket = await buckets.create("list");
  await Promise.all(NAMES.map((n) => bucket.file(n).save(n, { resumable: false })));
});
afterAll(() => buckets.cleanup());

type ListBody = { items?: { name: string; size?: string; bucket?: string }[]; prefixes?: string[]; nextPageToken?: string };

async function list(query: string): Promise<ListBody> {
  const res = await fetch(`${emulatorUrl()}/storage/v1/b/${bucket.name}/o?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ListBody;
}

describe("listing", () => {
  it("lists every object in name order", async () => {
    const [files] = await bucket.getFiles();
    expect(files.map((f) => f.name)).toEqual(NAMES);
  });

  it("prefix filters by name prefix", async () => {
    const [files] = await bucket.getFiles({ prefix: "dir/" });
    expect(files.map((f) => f.name)).toEqual(["dir/1.txt", "dir/2.txt", "dir/sub/3.txt"]);
  });

  it("delimiter folds names into prefixes", async () => {
    const [files, , response] = await bucket.getFiles({ delimiter: "/", autoPaginate: false });
    expect(files.map((f) => f.name)).toEqual(["a.txt", "b.json", "z.txt"]);
    expect((response as { prefixes: string[] }).prefixes).toEqual(["dir/", "dir2/"]);
    const nested = await list("prefix=dir/&delimiter=/");
    expect(nested.items!.map((i) => i.name)).toEqual(["dir/1.txt", "dir/2.txt"]);
    expect(nested.prefixes).toEqual(["dir/sub/"]);
  });

  it("maxResults pages with nextPageToken until the end, prefixes counted with items", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await list(`maxResults=2&delimiter=/${token ? `&pageToken=${encodeURIComponent(token)}` : ""}`);
      seen.push(...(page.items ?? []).map((i) => i.name), ...(page.prefixes ?? []));
      expect((page.items?.length ?? 0) + (page.prefixes?.length ?? 0)).toBeLessThanOrEqual(2);
      token = page.nextPageToken;
      pages++;
    } while (token && pages < 10);
    expect(seen.sort()).toEqual(["a.txt", "b.json", "dir/", "dir2/", "z.txt"]);
    const [all] = await bucket.getFiles({ maxResults: 3 });
    expect(all.length).toBe(3);
  });

  it("the client's autoPaginate follows page tokens", async () => {
    const [files] = await bucket.getFiles({ autoPaginate: true, maxApiCalls: 10, maxResults: undefined, pageToken: undefined } as never);
    expect(files.length).toBe(NAMES.length);
    const paged: string[] = [];
    let query: Record<string, unknown> | null = { maxResults: 2, autoPaginate: false };
    while (query) {
      const [batch, next]: [{ name: string }[], Record<string, unknown> | null] = (await bucket.getFiles(query)) as never;
      paged.push(...batch.map((f) => f.name));
      query = next;
    }
    expect(paged).toEqual(NAMES);
  });

  it("startOffset (inclusive) and endOffset (exclusive)", async () => {
    const [files] = await bucket.getFiles({ startOffset: "b.json", endOffset: "dir/sub" });
    expect(files.map((f) => f.name)).toEqual(["b.json", "dir/1.txt", "dir/2.txt"]);
  });

  it("matchGlob with * and **", async () => {
    const top = await list(`matchGlob=${encodeURIComponent("*.txt")}`);
    expect(top.items!.map((i) => i.name)).toEqual(["a.txt", "z.txt"]);
    const deep = await list(`matchGlob=${encodeURIComponent("dir/**/*.txt")}`);
    expect(deep.items!.map((i) => i.name)).toEqual(["dir/1.txt", "dir/2.txt", "dir/sub/3.txt"]);
  });

  it("fields= selects parts of list and get responses", async () => {
    const page = await list("fields=items(name,size),nextPageToken&maxResults=2");
    expect(page.items![0]).toEqual({ name: "a.txt", size: "5" });
    expect(Object.keys(page).sort()).toEqual(["items", "nextPageToken"]);
    const res = await fetch(`${emulatorUrl()}/storage/v1/b/${bucket.name}/o/a.txt?fields=name,bucket`);
    expect(await res.json()).toEqual({ name: "a.txt", bucket: bucket.name });
  });

  it("an empty bucket lists nothing", async () => {
    const empty = await buckets.create("empty");
    const [files] = await empty.getFiles();
    expect(files).toEqual([]);
  });
});
