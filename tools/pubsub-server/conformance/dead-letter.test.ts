import type { Message } from "@google-cloud/pubsub";
import { ack, listen, modAck, pullUntil, setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

describe("dead-letter policy", () => {
  it("deliveryAttempt counts deliveries and the last failure forwards to the dead-letter topic", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [dead] = await ctx.pubsub.createTopic(ctx.id("dead"));
    const deadSub = ctx.id("deadsub");
    await dead.createSubscription(deadSub);
    const subId = ctx.id("sub");
    await topic.createSubscription(subId, { deadLetterPolicy: { deadLetterTopic: dead.name, maxDeliveryAttempts: 5 } });
    await topic.publishMessage({ data: Buffer.from("poison"), attributes: { origin: "test" } });

    const attempts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [m] = await pullUntil(ctx, subId, 1, 3000);
      attempts.push(m!.deliveryAttempt);
      await modAck(ctx, subId, [m!.ackId], 0);
    }
    expect(attempts).toEqual([1, 2, 3, 4, 5]);

    const [forwarded] = await pullUntil(ctx, deadSub, 1, 5000);
    expect(forwarded!.data).toBe("poison");
    expect(forwarded!.attributes).toMatchObject({
      origin: "test",
      CloudPubSubDeadLetterSourceDeliveryCount: "5",
      CloudPubSubDeadLetterSourceSubscription: subId,
      CloudPubSubDeadLetterSourceSubscriptionProject: ctx.projectId,
    });
    expect(Number.isNaN(Date.parse(forwarded!.attributes["CloudPubSubDeadLetterSourceTopicPublishTime"]!))).toBe(false);
    await ack(ctx, deadSub, [forwarded!.ackId]);
  });

  it("the streaming subscriber sees message.deliveryAttempt grow with each nack", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [dead] = await ctx.pubsub.createTopic(ctx.id("dead"));
    const subId = ctx.id("sub");
    await topic.createSubscription(subId, { deadLetterPolicy: { deadLetterTopic: dead.name, maxDeliveryAttempts: 10 } });
    await topic.publishMessage({ data: Buffer.from("retry") });
    const seen: number[] = [];
    await listen(ctx.pubsub.subscription(subId), (m: Message) => {
      seen.push(m.deliveryAttempt);
      if (seen.length < 3) m.nack();
      else m.ack();
    }, () => seen.length === 3);
    expect(seen).toEqual([1, 2, 3]);
  });

  it("without a dead-letter policy deliveryAttempt is not set", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const subId = ctx.id("sub");
    await topic.createSubscription(subId);
    await topic.publishMessage({ data: Buffer.from("plain") });
    const [m] = await pullUntil(ctx, subId, 1);
    expect(m!.deliveryAttempt).toBe(0);
    await ack(ctx, subId, [m!.ackId]);
  });

  it("a dead-letter topic that does not exist is NOT_FOUND", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const missing = ctx.topicPath(ctx.id("missing"));
    await expect(topic.createSubscription(ctx.id("sub"), { deadLetterPolicy: { deadLetterTopic: missing, maxDeliveryAttempts: 5 } })).rejects.toMatchObject({ code: 5 });
  });
});
