import type { Message } from "@google-cloud/pubsub";
import { ack, listen, modAck, pullNothing, pullUntil, setupContext, sleep, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

async function topicAndSub(options: Record<string, unknown> = {}): Promise<{ topicId: string; subId: string }> {
  const topicId = ctx.id("topic");
  const subId = ctx.id("sub");
  const [topic] = await ctx.pubsub.createTopic(topicId);
  await topic.createSubscription(subId, options);
  return { topicId, subId };
}

describe("publish and receive", () => {
  it("a published message arrives with data, attributes, messageId and publishTime", async () => {
    const { topicId, subId } = await topicAndSub();
    const before = Date.now();
    const id = await ctx.pubsub.topic(topicId).publishMessage({ data: Buffer.from("hello"), attributes: { k: "v" } });
    let got: Message | undefined;
    await listen(ctx.pubsub.subscription(subId), (m) => {
      got = m;
      m.ack();
    }, () => !!got);
    expect(got!.id).toBe(id);
    expect(got!.data.toString()).toBe("hello");
    expect(got!.attributes).toEqual({ k: "v" });
    expect(got!.publishTime.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(got!.deliveryAttempt).toBe(0);
  });

  it("every message gets a distinct messageId", async () => {
    const { topicId } = await topicAndSub();
    const topic = ctx.pubsub.topic(topicId);
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => topic.publishMessage({ data: Buffer.from(String(i)) })));
    expect(new Set(ids).size).toBe(20);
  });

  it("a message without data and attributes is INVALID_ARGUMENT", async () => {
    const { topicId } = await topicAndSub();
    await expect(ctx.pubsub.topic(topicId).publishMessage({ data: Buffer.alloc(0) })).rejects.toMatchObject({ code: 3 });
  });

  it("a subscription only receives messages published after it was created", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    await topic.publishMessage({ data: Buffer.from("early") });
    const subId = ctx.id("sub");
    await topic.createSubscription(subId);
    await topic.publishMessage({ data: Buffer.from("late") });
    const got = await pullUntil(ctx, subId, 1);
    expect(got.map((m) => m.data)).toEqual(["late"]);
  });

  it("each subscription of a topic receives every message", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const a = ctx.id("sub");
    const b = ctx.id("sub");
    await topic.createSubscription(a);
    await topic.createSubscription(b);
    await topic.publishMessage({ data: Buffer.from("fan-out") });
    expect((await pullUntil(ctx, a, 1)).map((m) => m.data)).toEqual(["fan-out"]);
    expect((await pullUntil(ctx, b, 1)).map((m) => m.data)).toEqual(["fan-out"]);
  });

  it("a 9 MB message round-trips", async () => {
    const { topicId, subId } = await topicAndSub();
    const big = Buffer.alloc(9 * 1024 * 1024, 7);
    await ctx.pubsub.topic(topicId).publishMessage({ data: big });
    let got: Buffer | undefined;
    await listen(ctx.pubsub.subscription(subId), (m) => {
      got = m.data;
      m.ack();
    }, () => !!got);
    expect(got!.length).toBe(big.length);
    expect(got!.equals(big)).toBe(true);
  });

  it("streaming pull with several streams delivers every message once when acked", async () => {
    const { topicId, subId } = await topicAndSub();
    const topic = ctx.pubsub.topic(topicId);
    const count = 200;
    await Promise.all(Array.from({ length: count }, (_, i) => topic.publishMessage({ data: Buffer.from(String(i)) })));
    const seen = new Map<string, number>();
    await listen(ctx.pubsub.subscription(subId, { streamingOptions: { maxStreams: 3 } }), (m) => {
      seen.set(m.data.toString(), (seen.get(m.data.toString()) ?? 0) + 1);
      m.ack();
    }, () => seen.size === count);
    expect(seen.size).toBe(count);
    expect(await pullNothing(ctx, subId)).toBe(0);
  });
});

describe("acks, nacks and deadlines", () => {
  it("an acked message is not redelivered", async () => {
    const { topicId, subId } = await topicAndSub();
    await ctx.pubsub.topic(topicId).publishMessage({ data: Buffer.from("once") });
    const [m] = await pullUntil(ctx, subId, 1);
    await ack(ctx, subId, [m!.ackId]);
    expect(await pullNothing(ctx, subId)).toBe(0);
  });

  it("a message is not redelivered while its lease is valid", async () => {
    const { topicId, subId } = await topicAndSub({ ackDeadlineSeconds: 60 });
    await ctx.pubsub.topic(topicId).publishMessage({ data: Buffer.from("leased") });
    expect(await pullUntil(ctx, subId, 1)).toHaveLength(1);
    expect(await pullNothing(ctx, subId)).toBe(0);
  });

  it("a nack (deadline 0) redelivers immediately without a retry policy", async () => {
    const { topicId, subId } = await topicAndSub();
    await ctx.pubsub.topic(topicId).publishMessage({ data: Buffer.from("again") });
    const [first] = await pullUntil(ctx, subId, 1);
    await modAck(ctx, subId, [first!.ackId], 0);
    const [second] = await pullUntil(ctx, subId, 1, 3000);
    expect(second!.data).toBe("again");
    expect(second!.messageId).toBe(first!.messageId);
    expect(second!.ackId).not.toBe(first!.ackId);
  });

  it("message.nack() in the streaming subscriber causes a redelivery", async () => {
    const { topicId, subId } = await topicAndSub();
    await ctx.pubsub.topic(topicId).publishMessage({ data: Buffer.from("nack me") });
    let deliveries = 0;
    await listen(ctx.pubsub.subscription(subId), (m) => {
      deliveries++;
      if (deliveries === 1) m.nack();
      else m.ack();
    }, () => deliveries === 2);
    expect(deliveries).toBe(2);
  });

  it("an expired ack deadline redelivers the message", async () => {
    const { topicId, subId } = await topicAndSub();
    await ctx.pubsub.topic(topicId).publishMessage({ data: Buffer.from("expire") });
    const [first] = await pullUntil(ctx, subId, 1);
    // The shortest deadline a client may set is 1 s through ModifyAckDeadline.
    await modAck(ctx, subId, [first!.ackId], 1);
    const start = Date.now();
    const [second] = await pullUntil(ctx, subId, 1, 5000);
    expect(second!.messageId).toBe(first!.messageId);
    expect(Date.now() - start).toBeGreaterThanOrEqual(700);
  });

  it("extending the deadline keeps the message leased", async () => {
    const { topicId, subId } = await topicAndSub();
    await ctx.pubsub.topic(topicId).publishMessage({ data: Buffer.from("extend") });
    const [first] = await pullUntil(ctx, subId, 1);
    await modAck(ctx, subId, [first!.ackId], 1);
    await modAck(ctx, subId, [first!.ackId], 60);
    await sleep(1200);
    expect(await pullNothing(ctx, subId)).toBe(0);
  });

  it("the retry policy's minimum backoff delays a redelivery after a nack", async () => {
    const { topicId, subId } = await topicAndSub({ retryPolicy: { minimumBackoff: { seconds: 2 }, maximumBackoff: { seconds: 10 } } });
    await ctx.pubsub.topic(topicId).publishMessage({ data: Buffer.from("backoff") });
    const [first] = await pullUntil(ctx, subId, 1);
    const nackedAt = Date.now();
    await modAck(ctx, subId, [first!.ackId], 0);
    const [second] = await pullUntil(ctx, subId, 1, 6000);
    expect(second!.messageId).toBe(first!.messageId);
    expect(Date.now() - nackedAt).toBeGreaterThanOrEqual(1500);
  });
});
