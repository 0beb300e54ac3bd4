import { Code, codeOf, setupContext, uid, type Context } from "./helpers";

describe("secrets", () => {
  let ctx: Context;
  beforeAll(() => {
    ctx = setupContext();
  });
  afterAll(async () => ctx.close());

  it("create then get returns the secret with its labels, create time and etag", async () => {
    const name = await ctx.createSecret({ labels: { team: "platform" } });
    const [secret] = await ctx.client.getSecret({ name });
    expect(secret.name).toBe(name);
    expect(secret.labels).toEqual({ team: "platform" });
    expect(Number(secret.createTime?.seconds)).toBeGreaterThan(0);
    expect(secret.etag).toMatch(/^".+"$/);
    expect(secret.replication?.automatic).toBeDefined();
  });

  it("creating an existing secret is ALREADY_EXISTS", async () => {
    const id = `dup-${uid()}`;
    await ctx.createSecret({}, id);
    expect(await codeOf(ctx.createSecret({}, id))).toBe(Code.ALREADY_EXISTS);
  });

  it("a secret id with a bad character is INVALID_ARGUMENT; replication is required", async () => {
    expect(await codeOf(ctx.createSecret({}, "bad.id"))).toBe(Code.INVALID_ARGUMENT);
    expect(await codeOf(ctx.client.createSecret({ parent: ctx.parent, secretId: `r-${uid()}`, secret: {} }))).toBe(Code.INVALID_ARGUMENT);
  });

  it("get and delete of a missing secret are NOT_FOUND", async () => {
    const name = ctx.secretName(`missing-${uid()}`);
    expect(await codeOf(ctx.client.getSecret({ name }))).toBe(Code.NOT_FOUND);
    expect(await codeOf(ctx.client.deleteSecret({ name }))).toBe(Code.NOT_FOUND);
  });

  it("list pages through the project's secrets", async () => {
    const own = setupContext();
    try {
      const names = await Promise.all([1, 2, 3].map(() => own.createSecret()));
      const [first, , response] = await own.client.listSecrets({ parent: own.parent, pageSize: 2 }, { autoPaginate: false });
      expect(first).toHaveLength(2);
      expect(response?.nextPageToken).toBeTruthy();
      expect(response?.totalSize).toBe(3);
      const [all] = await own.client.listSecrets({ parent: own.parent });
      expect(all.map((s) => s.name).sort()).toEqual(names.sort());
    } finally {
      await own.close();
    }
  });

  it("update changes the fields in the mask only and a new etag is issued", async () => {
    const name = await ctx.createSecret({ labels: { a: "1" }, annotations: { note: "x" } });
    const [before] = await ctx.client.getSecret({ name });
    const [after] = await ctx.client.updateSecret({ secret: { name, labels: { a: "2" }, annotations: { note: "ignored" } }, updateMask: { paths: ["labels"] } });
    expect(after.labels).toEqual({ a: "2" });
    expect(after.annotations).toEqual({ note: "x" });
    expect(after.etag).not.toBe(before.etag);
  });

  it("update without a mask, or of an immutable field, is INVALID_ARGUMENT", async () => {
    const name = await ctx.createSecret();
    expect(await codeOf(ctx.client.updateSecret({ secret: { name, labels: { a: "b" } }, updateMask: { paths: [] } }))).toBe(Code.INVALID_ARGUMENT);
    expect(await codeOf(ctx.client.updateSecret({ secret: { name, replication: { automatic: {} } }, updateMask: { paths: ["replication"] } }))).toBe(Code.INVALID_ARGUMENT);
  });

  it("an update or delete with a stale etag is ABORTED", async () => {
    const name = await ctx.createSecret();
    const [secret] = await ctx.client.getSecret({ name });
    await ctx.client.updateSecret({ secret: { name, labels: { x: "1" } }, updateMask: { paths: ["labels"] } });
    expect(await codeOf(ctx.client.updateSecret({ secret: { name, labels: { x: "2" }, etag: secret.etag! }, updateMask: { paths: ["labels"] } }))).toBe(Code.ABORTED);
    expect(await codeOf(ctx.client.deleteSecret({ name, etag: secret.etag! }))).toBe(Code.ABORTED);
  });

  it("delete removes the secret and its versions", async () => {
    const name = await ctx.createSecret();
    await ctx.addVersion(name, "v1");
    await ctx.client.deleteSecret({ name });
    expect(await codeOf(ctx.client.getSecret({ name }))).toBe(Code.NOT_FOUND);
    expect(await codeOf(ctx.client.accessSecretVersion({ name: `${name}/versions/1` }))).toBe(Code.NOT_FOUND);
  });

  it("a ttl becomes an expire time", async () => {
    const [secret] = await ctx.client.createSecret({ parent: ctx.parent, secretId: `ttl-${uid()}`, secret: { replication: { automatic: {} }, ttl: { seconds: 3600 } } });
    expect(Number(secret.expireTime?.seconds) - Number(secret.createTime?.seconds)).toBe(3600);
  });

  it("IAM calls are UNIMPLEMENTED on this local server (not the real service)", async () => {
    const name = await ctx.createSecret();
    expect(await codeOf(ctx.client.getIamPolicy({ resource: name }))).toBe(Code.UNIMPLEMENTED);
  });
});
