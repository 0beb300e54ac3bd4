import { Duration } from "@google-cloud/pubsub";
import { expectCode, setupContext, Status, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

const seconds = (d: { seconds?: unknown } | null | undefined): number => Number(d?.seconds ?? 0);

describe("subscriptions", () => {
  it("create with every delivery option and get returns them", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [dead] = await ctx.pubsub.createTopic(ctx.id("dead"));
    const id = ctx.id("sub");
    await topic.createSubscription(id, {
      ackDeadlineSeconds: 30,
      retryPolicy: { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 20 } },
      deadLetterPolicy: { deadLetterTopic: dead.name, maxDeliveryAttempts: 7 },
      filter: 'attributes.kind = "a"',
      enableMessageOrdering: true,
      enableExactlyOnceDelivery: true,
      messageRetentionDuration: Duration.from({ minutes: 15 }),
      retainAckedMessages: true,
      labels: { team: "x" },
    });
    const [meta] = await ctx.pubsub.subscription(id).getMetadata();
    expect(meta.name).toBe(ctx.subPath(id));
    expect(meta.topic).toBe(topic.name);
    expect(meta.ackDeadlineSeconds).toBe(30);
    expect(seconds(meta.retryPolicy?.minimumBackoff)).toBe(1);
    expect(seconds(meta.retryPolicy?.maximumBackoff)).toBe(20);
    expect(meta.deadLetterPolicy).toMatchObject({ deadLetterTopic: dead.name, maxDeliveryAttempts: 7 });
    expect(meta.filter).toBe('attributes.kind = "a"');
    expect(meta.enableMessageOrdering).toBe(true);
    expect(meta.enableExactlyOnceDelivery).toBe(true);
    expect(seconds(meta.messageRetentionDuration)).toBe(900);
    expect(meta.retainAckedMessages).toBe(true);
    expect(meta.labels).toEqual({ team: "x" });
  });

  it("a pull subscription carries an empty push_config and the default ack deadline", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [sub] = await topic.createSubscription(ctx.id("sub"));
    const [raw] = await ctx.subscriber.getSubscription({ subscription: sub.name });
    expect(raw.pushConfig).toBeTruthy();
    expect(raw.pushConfig!.pushEndpoint ?? "").toBe("");
    expect(raw.ackDeadlineSeconds).toBe(10);
  });

  it("a push subscription returns its push endpoint", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [sub] = await topic.createSubscription(ctx.id("sub"), { pushConfig: { pushEndpoint: "http://127.0.0.1:9/push" } });
    const [meta] = await sub.getMetadata();
    expect(meta.pushConfig?.pushEndpoint).toBe("http://127.0.0.1:9/push");
  });

  it("creating an existing subscription fails with ALREADY_EXISTS", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const id = ctx.id("sub");
    await topic.createSubscription(id);
    await expectCode(topic.createSubscription(id), Status.ALREADY_EXISTS);
  });

  it("creating a subscription on a missing topic fails with NOT_FOUND", async () => {
    await expectCode(ctx.pubsub.topic(ctx.id("missing")).createSubscription(ctx.id("sub")), Status.NOT_FOUND);
  });

  it("get and delete of a missing subscription fail with NOT_FOUND", async () => {
    const sub = ctx.pubsub.subscription(ctx.id("missing"));
    await expectCode(sub.getMetadata(), Status.NOT_FOUND);
    await expectCode(sub.delete(), Status.NOT_FOUND);
  });

  it.each([
    ["an ack deadline under 10 s", { ackDeadlineSeconds: 5 }],
    ["an ack deadline over 600 s", { ackDeadlineSeconds: 601 }],
    ["maxDeliveryAttempts under 5", "dead:4"],
    ["maxDeliveryAttempts over 100", "dead:101"],
    ["a retention under 10 minutes", { messageRetentionDuration: Duration.from({ minutes: 5 }) }],
    ["a minimum backoff above the maximum", { retryPolicy: { minimumBackoff: { seconds: 30 }, maximumBackoff: { seconds: 10 } } }],
    ["an invalid filter", { filter: "attributes.a = " }],
    ["a filter mixing AND and OR without parentheses", { filter: 'attributes:a AND attributes:b OR attributes:c' }],
  ])("%s is INVALID_ARGUMENT", async (_why, options) => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    let opts = options as Record<string, unknown>;
    if (typeof options === "string") {
      const [dead] = await ctx.pubsub.createTopic(ctx.id("dead"));
      opts = { deadLetterPolicy: { deadLetterTopic: dead.name, maxDeliveryAttempts: Number(options.split(":")[1]) } };
    }
    await expectCode(topic.createSubscription(ctx.id("sub"), opts), Status.INVALID_ARGUMENT);
  });

  it("an invalid subscription id is INVALID_ARGUMENT", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    await expectCode(topic.createSubscription("goog-sub"), Status.INVALID_ARGUMENT);
  });

  it("list returns the project's subscriptions across pages", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const ids = [ctx.id("sub"), ctx.id("sub"), ctx.id("sub")];
    for (const id of ids) await topic.createSubscription(id);
    const [first, next] = await ctx.pubsub.getSubscriptions({ pageSize: 2, autoPaginate: false });
    expect(first).toHaveLength(2);
    expect(next).toBeTruthy();
    const [all] = await ctx.pubsub.getSubscriptions();
    for (const id of ids) expect(all.map((s) => s.name)).toContain(ctx.subPath(id));
  });

  it("update changes mutable fields and keeps the others", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [sub] = await topic.createSubscription(ctx.id("sub"), { ackDeadlineSeconds: 20, labels: { a: "1" } });
    await sub.setMetadata({ ackDeadlineSeconds: 45, retryPolicy: { minimumBackoff: { seconds: 2 }, maximumBackoff: { seconds: 4 } } });
    const [meta] = await sub.getMetadata();
    expect(meta.ackDeadlineSeconds).toBe(45);
    expect(seconds(meta.retryPolicy?.minimumBackoff)).toBe(2);
    expect(meta.labels).toEqual({ a: "1" });
  });

  it("the filter cannot be updated", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [sub] = await topic.createSubscription(ctx.id("sub"));
    await expectCode(sub.setMetadata({ filter: "attributes:x" }), Status.INVALID_ARGUMENT);
  });

  it("delete removes the subscription from the topic's list", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [sub] = await topic.createSubscription(ctx.id("sub"));
    await sub.delete();
    expect((await sub.exists())[0]).toBe(false);
    expect((await topic.getSubscriptions())[0]).toHaveLength(0);
  });

  it("detach marks the subscription detached and pulling from it fails", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [sub] = await topic.createSubscription(ctx.id("sub"));
    await topic.publishMessage({ data: Buffer.from("x") });
    await ctx.pubsub.detachSubscription(sub.name);
    expect((await sub.detached())[0]).toBe(true);
    await expectCode(ctx.subscriber.pull({ subscription: sub.name, maxMessages: 1 }), Status.FAILED_PRECONDITION);
  });
});
