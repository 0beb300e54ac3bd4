import type { google } from "@google-cloud/pubsub/build/protos/protos";
import { pullNothing, setupContext, type TestContext } from "./helpers";

type Response = google.pubsub.v1.IStreamingPullResponse;

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

/** A raw StreamingPull stream through the generated client, with a queue of its responses. */
function openStream(subscription: string): { write(req: object): void; next(): Promise<Response>; end(): Promise<void> } {
  const stream = ctx.subscriber.streamingPull();
  const queue: Response[] = [];
  const waiters: ((r: Response) => void)[] = [];
  stream.on("data", (r: Response) => {
    const w = waiters.shift();
    if (w) w(r);
    else queue.push(r);
  });
  stream.on("error", () => undefined);
  stream.write({ subscription, streamAckDeadlineSeconds: 10 });
  return {
    write: (req) => stream.write(req),
    next: () =>
      new Promise<Response>((resolve, reject) => {
        const r = queue.shift();
        if (r) return resolve(r);
        const timer = setTimeout(() => reject(new Error("no response on the stream")), 5000);
        waiters.push((res) => {
          clearTimeout(timer);
          resolve(res);
        });
      }),
    end: () =>
      new Promise<void>((resolve) => {
        stream.on("end", () => resolve());
        stream.on("close", () => resolve());
        stream.end();
        setTimeout(resolve, 1000).unref();
      }),
  };
}

async function withMessages(texts: string[], options: Record<string, unknown> = {}): Promise<string> {
  const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
  const subId = ctx.id("sub");
  await topic.createSubscription(subId, options);
  for (const t of texts) await topic.publishMessage({ data: Buffer.from(t) });
  return subId;
}

describe("StreamingPull", () => {
  it("responses carry the messages and subscription_properties", async () => {
    const subId = await withMessages(["a"], { enableMessageOrdering: true });
    const stream = openStream(ctx.subPath(subId));
    const res = await stream.next();
    expect(res.receivedMessages).toHaveLength(1);
    expect(res.subscriptionProperties).toMatchObject({ messageOrderingEnabled: true });
    expect(res.subscriptionProperties?.exactlyOnceDeliveryEnabled ?? false).toBe(false);
    stream.write({ ackIds: [res.receivedMessages![0]!.ackId!] });
    await stream.end();
  });

  it("with exactly-once delivery the properties say so and stream acks are confirmed", async () => {
    const subId = await withMessages(["eod"], { enableExactlyOnceDelivery: true });
    const stream = openStream(ctx.subPath(subId));
    const res = await stream.next();
    expect(res.subscriptionProperties).toMatchObject({ exactlyOnceDeliveryEnabled: true });
    const ackId = res.receivedMessages![0]!.ackId!;
    stream.write({ ackIds: [ackId, "unknown-ack-id"] });
    const confirmation = (await stream.next()).acknowledgeConfirmation;
    expect(confirmation?.ackIds).toEqual([ackId]);
    expect(confirmation?.invalidAckIds).toEqual(["unknown-ack-id"]);
    await stream.end();
  });

  it("acks sent on the stream and empty keepalive requests are accepted", async () => {
    const subId = await withMessages(["a", "b"]);
    const stream = openStream(ctx.subPath(subId));
    const ids: string[] = [];
    while (ids.length < 2) ids.push(...(await stream.next()).receivedMessages!.map((m) => m.ackId!));
    stream.write({});
    stream.write({ ackIds: ids });
    stream.write({});
    await new Promise((r) => setTimeout(r, 200));
    await stream.end();
    expect(await pullNothing(ctx, subId)).toBe(0);
  });

  it("a deadline of 0 sent on the stream redelivers the message on the stream", async () => {
    const subId = await withMessages(["again"]);
    const stream = openStream(ctx.subPath(subId));
    const first = (await stream.next()).receivedMessages![0]!;
    stream.write({ modifyDeadlineAckIds: [first.ackId], modifyDeadlineSeconds: [0] });
    const second = (await stream.next()).receivedMessages![0]!;
    expect(second.message!.messageId).toBe(first.message!.messageId);
    stream.write({ ackIds: [second.ackId] });
    await stream.end();
  });

  it("a stream on a missing subscription ends with NOT_FOUND", async () => {
    const stream = ctx.subscriber.streamingPull();
    const err = await new Promise<{ code?: number }>((resolve) => {
      stream.on("error", resolve);
      stream.on("data", () => undefined);
      stream.write({ subscription: ctx.subPath(ctx.id("missing")), streamAckDeadlineSeconds: 10 });
    });
    expect(err.code).toBe(5);
  });
});
