import { v1 } from "@google-cloud/pubsub";
import { gapicOptions, expectCode, setupContext, Status, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

describe("topics", () => {
  it("create then get returns the topic with its labels", async () => {
    const id = ctx.id("topic");
    await ctx.pubsub.createTopic({ name: id, labels: { env: "test" } });
    const [meta] = await ctx.pubsub.topic(id).getMetadata();
    expect(meta.name).toBe(ctx.topicPath(id));
    expect(meta.labels).toEqual({ env: "test" });
  });

  it("creating an existing topic fails with ALREADY_EXISTS", async () => {
    const id = ctx.id("topic");
    await ctx.pubsub.createTopic(id);
    await expectCode(ctx.pubsub.createTopic(id), Status.ALREADY_EXISTS);
  });

  it("get of a missing topic fails with NOT_FOUND and exists() is false", async () => {
    const topic = ctx.pubsub.topic(ctx.id("missing"));
    await expectCode(topic.getMetadata(), Status.NOT_FOUND);
    expect((await topic.exists())[0]).toBe(false);
  });

  it.each([
    ["too short", "ab"],
    ["starting with a digit", "1topic"],
    ["starting with goog", "google-topic"],
    ["with a bad character", "topic$name"],
    ["longer than 255 characters", `t${"x".repeat(255)}`],
  ])("a topic id %s is INVALID_ARGUMENT", async (_why, id) => {
    await expectCode(ctx.pubsub.createTopic(id), Status.INVALID_ARGUMENT);
  });

  it("ids may use letters, digits and - _ . ~ + %", async () => {
    const id = `a-_.~+%${ctx.id("ok")}`;
    const [topic] = await ctx.pubsub.createTopic(id);
    expect(topic.name).toBe(ctx.topicPath(id));
  });

  it("list pages through topics with page tokens", async () => {
    const { pubsub } = ctx;
    const ids = [ctx.id("page"), ctx.id("page"), ctx.id("page")];
    for (const id of ids) await pubsub.createTopic(id);
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const [topics, next] = await pubsub.getTopics({ pageSize: 2, pageToken, autoPaginate: false });
      expect(topics.length).toBeLessThanOrEqual(2);
      seen.push(...topics.map((t) => t.name));
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
      pages++;
    } while (pageToken);
    expect(pages).toBeGreaterThan(1);
    for (const id of ids) expect(seen).toContain(ctx.topicPath(id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("setMetadata updates labels", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    await topic.setMetadata({ labels: { a: "1", b: "2" } });
    const [meta] = await topic.getMetadata();
    expect(meta.labels).toEqual({ a: "1", b: "2" });
  });

  it("delete removes the topic; deleting again is NOT_FOUND", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    await topic.delete();
    expect((await topic.exists())[0]).toBe(false);
    await expectCode(topic.delete(), Status.NOT_FOUND);
  });

  it("subscriptions of a deleted topic keep working with topic _deleted-topic_", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [sub] = await topic.createSubscription(ctx.id("sub"));
    await topic.publishMessage({ data: Buffer.from("before delete") });
    await topic.delete();
    const [meta] = await sub.getMetadata();
    expect(meta.topic).toBe("_deleted-topic_");
    const [res] = await ctx.subscriber.pull({ subscription: sub.name, maxMessages: 1 });
    expect(Buffer.from(res.receivedMessages![0]!.message!.data as Uint8Array).toString()).toBe("before delete");
  });

  it("ListTopicSubscriptions lists the topic's subscriptions only", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [other] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const a = ctx.id("sub");
    const b = ctx.id("sub");
    await topic.createSubscription(a);
    await topic.createSubscription(b);
    await other.createSubscription(ctx.id("sub"));
    const [subs] = await topic.getSubscriptions();
    expect(subs.map((s) => s.name).sort()).toEqual([ctx.subPath(a), ctx.subPath(b)].sort());
  });

  it("ListTopicSnapshots lists snapshots taken from the topic's subscriptions", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [sub] = await topic.createSubscription(ctx.id("sub"));
    const snap = ctx.id("snap");
    await sub.createSnapshot(snap);
    const client = new v1.PublisherClient(gapicOptions(ctx.pubsub));
    const [names] = await client.listTopicSnapshots({ topic: topic.name });
    await client.close();
    expect(names).toEqual([`projects/${ctx.projectId}/snapshots/${snap}`]);
  });

  it("publishing to a missing topic fails with NOT_FOUND", async () => {
    await expectCode(ctx.pubsub.topic(ctx.id("missing")).publishMessage({ data: Buffer.from("x") }), Status.NOT_FOUND);
  });
});
