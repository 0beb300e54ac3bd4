import { Code, codeOf, setupContext, type Context } from "./helpers";

const inOneHour = () => ({ seconds: Math.floor(Date.now() / 1000) + 3600 });

describe("event notifications", () => {
  let ctx: Context;
  beforeAll(() => {
    ctx = setupContext();
  });
  afterAll(async () => ctx.close());

  it("each change is published to the secret's topics with the documented attributes and the resource as proto3 JSON", async () => {
    const topic = await ctx.topic();
    const secret = await ctx.createSecret({ topics: [{ name: topic.name }], labels: { k: "v" } });
    const version = await ctx.addVersion(secret, "value");
    await ctx.client.disableSecretVersion({ name: version });
    await ctx.client.enableSecretVersion({ name: version });
    await ctx.client.destroySecretVersion({ name: version });
    await ctx.client.updateSecret({ secret: { name: secret, labels: { k: "w" } }, updateMask: { paths: ["labels"] } });
    await ctx.client.deleteSecret({ name: secret });
    const messages = await topic.pull(7);
    expect(messages.map((m) => m.attributes["eventType"])).toEqual([
      "SECRET_CREATE",
      "SECRET_VERSION_ADD",
      "SECRET_VERSION_DISABLE",
      "SECRET_VERSION_ENABLE",
      "SECRET_VERSION_DESTROY",
      "SECRET_UPDATE",
      "SECRET_DELETE",
    ]);
    for (const m of messages) {
      expect(m.attributes["secretId"]).toBe(secret);
      expect(m.attributes["dataFormat"]).toBe("JSON_API_V1");
      expect(Date.parse(m.attributes["timestamp"]!)).not.toBeNaN();
    }
    const [created, added] = messages;
    expect(created!.json).toMatchObject({ name: secret, labels: { k: "v" }, topics: [{ name: topic.name }], replication: { automatic: {} } });
    expect(typeof created!.json["createTime"]).toBe("string");
    expect(added!.attributes["versionId"]).toBe(version);
    expect(added!.json).toMatchObject({ name: version, state: "ENABLED" });
    expect(messages[6]!.attributes["deleteType"]).toBe("REQUESTED");
  });

  it("accesses, gets and lists publish nothing", async () => {
    const topic = await ctx.topic();
    const secret = await ctx.createSecret({ topics: [{ name: topic.name }] });
    const version = await ctx.addVersion(secret, "value");
    await ctx.client.accessSecretVersion({ name: version });
    await ctx.client.getSecret({ name: secret });
    await ctx.client.listSecretVersions({ parent: secret });
    await ctx.addVersion(secret, "marker");
    const messages = await topic.pull(3);
    expect(messages.map((m) => m.attributes["eventType"])).toEqual(["SECRET_CREATE", "SECRET_VERSION_ADD", "SECRET_VERSION_ADD"]);
  });
});

describe("rotation schedules", () => {
  let ctx: Context;
  beforeAll(() => {
    ctx = setupContext();
  });
  afterAll(async () => ctx.close());

  it("rotation needs topics, a period of at least an hour, and a next rotation time with a period", async () => {
    const topic = await ctx.topic();
    expect(await codeOf(ctx.createSecret({ rotation: { nextRotationTime: inOneHour(), rotationPeriod: { seconds: 7200 } } }))).toBe(Code.INVALID_ARGUMENT);
    expect(await codeOf(ctx.createSecret({ topics: [{ name: topic.name }], rotation: { nextRotationTime: inOneHour(), rotationPeriod: { seconds: 60 } } }))).toBe(Code.INVALID_ARGUMENT);
    expect(await codeOf(ctx.createSecret({ topics: [{ name: topic.name }], rotation: { rotationPeriod: { seconds: 7200 } } }))).toBe(Code.INVALID_ARGUMENT);
  });

  it("a rotation trigger publishes SECRET_ROTATE with the secret and moves next_rotation_time on by the period", async () => {
    const topic = await ctx.topic();
    const next = inOneHour();
    const secret = await ctx.createSecret({ topics: [{ name: topic.name }], rotation: { nextRotationTime: next, rotationPeriod: { seconds: 86400 } } });
    const { published } = await ctx.runRotations(secret);
    expect(published).toEqual([{ eventType: "SECRET_ROTATE", secretId: secret }]);
    const messages = await topic.pull(2);
    const rotate = messages.find((m) => m.attributes["eventType"] === "SECRET_ROTATE")!;
    expect(rotate.attributes["secretId"]).toBe(secret);
    expect(rotate.json).toMatchObject({ name: secret, rotation: { rotationPeriod: "86400s" } });
    const [after] = await ctx.client.getSecret({ name: secret });
    expect(Number(after.rotation?.nextRotationTime?.seconds)).toBe(next.seconds + 86400);
  });

  it("a secret that is not due is not rotated by a run of due rotations", async () => {
    const topic = await ctx.topic();
    const secret = await ctx.createSecret({ topics: [{ name: topic.name }], rotation: { nextRotationTime: inOneHour(), rotationPeriod: { seconds: 86400 } } });
    const { published } = await ctx.runRotations();
    expect(published.filter((p) => p.secretId === secret)).toEqual([]);
  });
});
