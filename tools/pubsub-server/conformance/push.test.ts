import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { pullUntil, setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
let receiver: http.Server;
let base = "";
/** Per path: the status to answer with for each successive request, then what was received. */
const script = new Map<string, number[]>();
const received = new Map<string, { body: Record<string, unknown>; at: number }[]>();

beforeAll(async () => {
  ctx = setupContext();
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const list = received.get(path) ?? [];
      list.push({ body: JSON.parse(Buffer.concat(chunks).toString() || "{}") as Record<string, unknown>, at: Date.now() });
      received.set(path, list);
      const statuses = script.get(path) ?? [];
      res.writeHead(statuses.shift() ?? 204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await ctx.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

async function waitForPushes(path: string, count: number, timeoutMs = 8000): Promise<{ body: Record<string, unknown>; at: number }[]> {
  const until = Date.now() + timeoutMs;
  while ((received.get(path)?.length ?? 0) < count && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return received.get(path) ?? [];
}

describe("push subscriptions", () => {
  it("POSTs the production JSON envelope and a 2xx acknowledges", async () => {
    const path = `/ok-${ctx.id()}`;
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const subId = ctx.id("sub");
    await topic.createSubscription(subId, { pushConfig: { pushEndpoint: base + path } });
    const id = await topic.publishMessage({ data: Buffer.from("pushed"), attributes: { a: "b" } });
    const [push] = await waitForPushes(path, 1);
    const body = push!.body as { message: Record<string, unknown>; subscription: string };
    expect(body.subscription).toBe(ctx.subPath(subId));
    expect(body.message).toMatchObject({ data: Buffer.from("pushed").toString("base64"), attributes: { a: "b" }, messageId: id, message_id: id });
    expect(body.message["publishTime"]).toBe(body.message["publish_time"]);
    expect(Number.isNaN(Date.parse(String(body.message["publishTime"])))).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(received.get(path)).toHaveLength(1);
  });

  it("a non-2xx answer is retried after the retry policy's backoff", async () => {
    const path = `/retry-${ctx.id()}`;
    script.set(path, [500, 400]);
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    await topic.createSubscription(ctx.id("sub"), {
      pushConfig: { pushEndpoint: base + path },
      retryPolicy: { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 1 } },
    });
    await topic.publishMessage({ data: Buffer.from("flaky") });
    const pushes = await waitForPushes(path, 3);
    expect(pushes).toHaveLength(3);
    expect(pushes[1]!.at - pushes[0]!.at).toBeGreaterThanOrEqual(800);
    await new Promise((r) => setTimeout(r, 300));
    expect(received.get(path)).toHaveLength(3);
  });

  it("after the last attempt a pushed message goes to the dead-letter topic with deliveryAttempt counted", async () => {
    const path = `/dead-${ctx.id()}`;
    script.set(path, [503, 503, 503, 503, 503]);
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [dead] = await ctx.pubsub.createTopic(ctx.id("dead"));
    const deadSub = ctx.id("deadsub");
    await dead.createSubscription(deadSub);
    const subId = ctx.id("sub");
    await topic.createSubscription(subId, {
      pushConfig: { pushEndpoint: base + path },
      retryPolicy: { minimumBackoff: { seconds: 0 }, maximumBackoff: { seconds: 0 } },
      deadLetterPolicy: { deadLetterTopic: dead.name, maxDeliveryAttempts: 5 },
    });
    await topic.publishMessage({ data: Buffer.from("undeliverable"), attributes: { keep: "me" } });
    const pushes = await waitForPushes(path, 5);
    expect(pushes.map((p) => p.body["deliveryAttempt"])).toEqual([1, 2, 3, 4, 5]);
    const [forwarded] = await pullUntil(ctx, deadSub, 1, 5000);
    expect(forwarded!.data).toBe("undeliverable");
    expect(forwarded!.attributes).toMatchObject({ keep: "me", CloudPubSubDeadLetterSourceSubscription: subId });
  });

  it("this local server refuses push endpoints outside loopback http (INVALID_ARGUMENT; not the official emulator)", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    await expect(topic.createSubscription(ctx.id("sub"), { pushConfig: { pushEndpoint: "http://example.com/push" } })).rejects.toMatchObject({ code: 3 });
  });

  it("modifyPushConfig turns a pull subscription into a push subscription", async () => {
    const path = `/switch-${ctx.id()}`;
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const [sub] = await topic.createSubscription(ctx.id("sub"));
    await sub.modifyPushConfig({ pushEndpoint: base + path });
    await topic.publishMessage({ data: Buffer.from("now pushed") });
    const [push] = await waitForPushes(path, 1);
    expect((push!.body as { message: { data: string } }).message.data).toBe(Buffer.from("now pushed").toString("base64"));
  });
});
