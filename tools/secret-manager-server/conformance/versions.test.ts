import { Code, codeOf, setupContext, type Context } from "./helpers";

describe("secret versions", () => {
  let ctx: Context;
  beforeAll(() => {
    ctx = setupContext();
  });
  afterAll(async () => ctx.close());

  const value = async (name: string): Promise<string> => {
    const [res] = await ctx.client.accessSecretVersion({ name });
    return Buffer.from(res.payload!.data as Uint8Array).toString("utf8");
  };

  it("versions are numbered from 1 and access returns the payload with its CRC32C", async () => {
    const secret = await ctx.createSecret();
    expect(await ctx.addVersion(secret, "one")).toBe(`${secret}/versions/1`);
    expect(await ctx.addVersion(secret, "two")).toBe(`${secret}/versions/2`);
    const [res] = await ctx.client.accessSecretVersion({ name: `${secret}/versions/1` });
    expect(Buffer.from(res.payload!.data as Uint8Array).toString()).toBe("one");
    // CRC32C("one"), as the client library documents for verifying payloads.
    expect(Number(res.payload!.dataCrc32c)).toBe(0x2a94b2e9);
  });

  it("latest is the newest version and access names the number it resolved to", async () => {
    const secret = await ctx.createSecret();
    await ctx.addVersion(secret, "one");
    await ctx.addVersion(secret, "two");
    const [res] = await ctx.client.accessSecretVersion({ name: `${secret}/versions/latest` });
    expect(res.name).toBe(`${secret}/versions/2`);
    expect(await value(`${secret}/versions/latest`)).toBe("two");
  });

  it("a version added with a matching data_crc32c says so; a mismatch is INVALID_ARGUMENT", async () => {
    const secret = await ctx.createSecret();
    const [version] = await ctx.client.addSecretVersion({ parent: secret, payload: { data: Buffer.from("one"), dataCrc32c: 0x2a94b2e9 } });
    expect(version.clientSpecifiedPayloadChecksum).toBe(true);
    expect(await codeOf(ctx.client.addSecretVersion({ parent: secret, payload: { data: Buffer.from("one"), dataCrc32c: 1 } }))).toBe(Code.INVALID_ARGUMENT);
  });

  it("a payload over 64 KiB is INVALID_ARGUMENT", async () => {
    const secret = await ctx.createSecret();
    expect(await codeOf(ctx.client.addSecretVersion({ parent: secret, payload: { data: Buffer.alloc(64 * 1024 + 1) } }))).toBe(Code.INVALID_ARGUMENT);
  });

  it("a disabled version cannot be accessed (FAILED_PRECONDITION) until enabled again", async () => {
    const secret = await ctx.createSecret();
    const name = await ctx.addVersion(secret, "one");
    const [disabled] = await ctx.client.disableSecretVersion({ name });
    expect(disabled.state).toBe("DISABLED");
    expect(await codeOf(ctx.client.accessSecretVersion({ name }))).toBe(Code.FAILED_PRECONDITION);
    const [enabled] = await ctx.client.enableSecretVersion({ name });
    expect(enabled.state).toBe("ENABLED");
    expect(await value(name)).toBe("one");
  });

  it("a destroyed version has no payload, a destroy time, and cannot be enabled", async () => {
    const secret = await ctx.createSecret();
    const name = await ctx.addVersion(secret, "one");
    const [destroyed] = await ctx.client.destroySecretVersion({ name });
    expect(destroyed.state).toBe("DESTROYED");
    expect(Number(destroyed.destroyTime?.seconds)).toBeGreaterThan(0);
    expect(await codeOf(ctx.client.accessSecretVersion({ name }))).toBe(Code.FAILED_PRECONDITION);
    expect(await codeOf(ctx.client.enableSecretVersion({ name }))).toBe(Code.FAILED_PRECONDITION);
  });

  it("with version_destroy_ttl a destroy only disables and schedules the destruction", async () => {
    const secret = await ctx.createSecret({ versionDestroyTtl: { seconds: 86400 } });
    const name = await ctx.addVersion(secret, "one");
    const [scheduled] = await ctx.client.destroySecretVersion({ name });
    expect(scheduled.state).toBe("DISABLED");
    expect(Number(scheduled.scheduledDestroyTime?.seconds)).toBeGreaterThan(Date.now() / 1000 + 86000);
  });

  it("state changes with a stale etag are ABORTED", async () => {
    const secret = await ctx.createSecret();
    const name = await ctx.addVersion(secret, "one");
    const [version] = await ctx.client.getSecretVersion({ name });
    await ctx.client.disableSecretVersion({ name });
    expect(await codeOf(ctx.client.enableSecretVersion({ name, etag: version.etag! }))).toBe(Code.ABORTED);
  });

  it("list returns versions newest first and filters by state", async () => {
    const secret = await ctx.createSecret();
    for (const v of ["a", "b", "c"]) await ctx.addVersion(secret, v);
    await ctx.client.disableSecretVersion({ name: `${secret}/versions/2` });
    const [all] = await ctx.client.listSecretVersions({ parent: secret });
    expect(all.map((v) => v.name!.split("/").pop())).toEqual(["3", "2", "1"]);
    const [enabled] = await ctx.client.listSecretVersions({ parent: secret, filter: "state:ENABLED" });
    expect(enabled.map((v) => v.name!.split("/").pop())).toEqual(["3", "1"]);
  });

  it("a missing version is NOT_FOUND", async () => {
    const secret = await ctx.createSecret();
    await ctx.addVersion(secret, "one");
    expect(await codeOf(ctx.client.accessSecretVersion({ name: `${secret}/versions/7` }))).toBe(Code.NOT_FOUND);
    expect(await codeOf(ctx.client.getSecretVersion({ name: `${secret}/versions/nope` }))).toBe(Code.NOT_FOUND);
  });
});

describe("version aliases", () => {
  let ctx: Context;
  beforeAll(() => {
    ctx = setupContext();
  });
  afterAll(async () => ctx.close());

  it("an alias set by update resolves on access and moves when updated again", async () => {
    const secret = await ctx.createSecret();
    await ctx.addVersion(secret, "one");
    await ctx.addVersion(secret, "two");
    const [updated] = await ctx.client.updateSecret({ secret: { name: secret, versionAliases: { current: 1, previous: 2 } }, updateMask: { paths: ["version_aliases"] } });
    expect(updated.versionAliases).toEqual({ current: "1", previous: "2" });
    const [res] = await ctx.client.accessSecretVersion({ name: `${secret}/versions/current` });
    expect(res.name).toBe(`${secret}/versions/1`);
    await ctx.client.updateSecret({ secret: { name: secret, versionAliases: { current: 2 } }, updateMask: { paths: ["version_aliases"] } });
    const [moved] = await ctx.client.accessSecretVersion({ name: `${secret}/versions/current` });
    expect(Buffer.from(moved.payload!.data as Uint8Array).toString()).toBe("two");
    expect(await codeOf(ctx.client.accessSecretVersion({ name: `${secret}/versions/previous` }))).toBe(Code.NOT_FOUND);
  });

  it("an alias to a missing version, a numeric alias or `latest` is INVALID_ARGUMENT", async () => {
    const secret = await ctx.createSecret();
    await ctx.addVersion(secret, "one");
    for (const aliases of [{ current: 5 }, { "12": 1 }, { latest: 1 }] as Array<Record<string, number>>) {
      expect(await codeOf(ctx.client.updateSecret({ secret: { name: secret, versionAliases: aliases }, updateMask: { paths: ["version_aliases"] } }))).toBe(Code.INVALID_ARGUMENT);
    }
  });
});
