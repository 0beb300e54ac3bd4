import type { Message } from "@google-cloud/pubsub";
import { listen, setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

describe("exactly-once delivery", () => {
  it("ackWithResponse succeeds for a valid ack id", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [sub] = await topic.createSubscription(ctx.id("sub"), { enableExactlyOnceDelivery: true });
    await topic.publishMessage({ data: Buffer.from("eod") });
    let result: string | undefined;
    await listen(sub, (m: Message) => {
      void m.ackWithResponse().then((r) => (result = r));
    }, () => true);
    await new Promise((r) => setTimeout(r, 300));
    expect(result).toBe("SUCCESS");
  });

  it("acking an ack id that is no longer valid rejects with an AckError, and the message comes back", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [sub] = await topic.createSubscription(ctx.id("sub"), { enableExactlyOnceDelivery: true });
    await topic.publishMessage({ data: Buffer.from("stale") });
    const outcomes: string[] = [];
    let deliveries = 0;
    await listen(sub, (m: Message) => {
      deliveries++;
      if (deliveries === 1) {
        // Someone else nacks this lease first: the ack id becomes invalid.
        void ctx.subscriber
          .modifyAckDeadline({ subscription: sub.name, ackIds: [m.ackId], ackDeadlineSeconds: 0 })
          .then(() => m.ackWithResponse())
          .then(
            () => outcomes.push("acked"),
            (err: { errorCode?: string }) => outcomes.push(`failed:${err.errorCode}`),
          );
      } else {
        // After the stale ack's answer: the client batches acks, and one batch holding both ids
        // would make this a test of batching (a loaded machine made it one), not of the stale id.
        void until(() => outcomes.length >= 1)
          .then(() => m.ackWithResponse())
          .then(() => outcomes.push("acked"));
      }
    }, () => deliveries === 2, 20_000);
    await until(() => outcomes.length >= 2);
    expect(outcomes).toContain("failed:INVALID");
    expect(outcomes).toContain("acked");
  });

  it("a unary acknowledge of an unknown ack id fails with INVALID_ARGUMENT", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [sub] = await topic.createSubscription(ctx.id("sub"), { enableExactlyOnceDelivery: true });
    await expect(ctx.subscriber.acknowledge({ subscription: sub.name, ackIds: ["not-an-ack-id"] })).rejects.toMatchObject({ code: 3 });
  });

  it("without exactly-once delivery an unknown ack id is ignored", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [sub] = await topic.createSubscription(ctx.id("sub"));
    await expect(ctx.subscriber.acknowledge({ subscription: sub.name, ackIds: ["not-an-ack-id"] })).resolves.toBeDefined();
  });
});

/** Resolves once `done()` holds, polling; bounded so a hang fails the case instead of jest. */
async function until(done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
