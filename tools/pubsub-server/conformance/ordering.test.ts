import { ack, listen, modAck, pullUntil, setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

async function orderedPair(): Promise<{ topicId: string; subId: string }> {
  const topicId = ctx.id("topic");
  const subId = ctx.id("sub");
  const [topic] = await ctx.pubsub.createTopic(topicId);
  await topic.createSubscription(subId, { enableMessageOrdering: true });
  return { topicId, subId };
}

describe("message ordering", () => {
  it("messages with the same ordering key arrive in publish order", async () => {
    const { topicId, subId } = await orderedPair();
    const topic = ctx.pubsub.topic(topicId, { messageOrdering: true });
    const keys = ["k1", "k2", "k3"];
    const n = 30;
    const publishes: Promise<string>[] = [];
    for (let i = 0; i < n; i++) for (const k of keys) publishes.push(topic.publishMessage({ data: Buffer.from(`${k}:${i}`), orderingKey: k }));
    await Promise.all(publishes);
    const byKey = new Map<string, number[]>();
    await listen(ctx.pubsub.subscription(subId), (m) => {
      expect(m.orderingKey).toBe(m.data.toString().split(":")[0]);
      const [k, i] = m.data.toString().split(":");
      byKey.set(k!, [...(byKey.get(k!) ?? []), Number(i)]);
      m.ack();
    }, () => [...byKey.values()].reduce((s, v) => s + v.length, 0) >= n * keys.length);
    for (const k of keys) expect(byKey.get(k)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it("a nacked message is redelivered before the messages that followed it", async () => {
    const { topicId, subId } = await orderedPair();
    const topic = ctx.pubsub.topic(topicId, { messageOrdering: true });
    for (const t of ["first", "second", "third"]) await topic.publishMessage({ data: Buffer.from(t), orderingKey: "key" });
    const batch = await pullUntil(ctx, subId, 3);
    expect(batch.map((m) => m.data)).toEqual(["first", "second", "third"]);
    await modAck(ctx, subId, [batch[0]!.ackId], 0);
    const again = await pullUntil(ctx, subId, 3);
    expect(again.map((m) => m.data)).toEqual(["first", "second", "third"]);
    await ack(ctx, subId, again.map((m) => m.ackId));
  });

  it("while a key has unacked messages its later messages wait", async () => {
    const { topicId, subId } = await orderedPair();
    const topic = ctx.pubsub.topic(topicId, { messageOrdering: true });
    await topic.publishMessage({ data: Buffer.from("one"), orderingKey: "key" });
    const [one] = await pullUntil(ctx, subId, 1);
    await topic.publishMessage({ data: Buffer.from("two"), orderingKey: "key" });
    await topic.publishMessage({ data: Buffer.from("other"), orderingKey: "other-key" });
    const meanwhile = await pullUntil(ctx, subId, 1);
    expect(meanwhile.map((m) => m.data)).toEqual(["other"]);
    await ack(ctx, subId, [one!.ackId, meanwhile[0]!.ackId]);
    const [two] = await pullUntil(ctx, subId, 1);
    expect(two!.data).toBe("two");
    await ack(ctx, subId, [two!.ackId]);
  });
});
