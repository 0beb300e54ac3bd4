import { credentials } from "@grpc/grpc-js";
import { PubSub, v1 } from "@google-cloud/pubsub";
import { startPubSubServer } from "@rag/pubsub-server";
import { startHarness, type Harness } from "./server-harness";

type PubSubServer = Awaited<ReturnType<typeof startPubSubServer>>;

/** Bucket notifications through the real clients: configs made with @google-cloud/storage, messages read with @google-cloud/pubsub. */
describe("bucket notifications to Pub/Sub", () => {
  let pubsubServer: PubSubServer;
  let pubsub: PubSub;
  let harness: Harness;
  const previousHost = process.env["PUBSUB_EMULATOR_HOST"];

  beforeAll(async () => {
    pubsubServer = await startPubSubServer({ host: "127.0.0.1", port: 0 });
    process.env["PUBSUB_EMULATOR_HOST"] = `127.0.0.1:${pubsubServer.port}`;
    pubsub = new PubSub({ projectId: "demo-test" });
    harness = await startHarness({ publishNotification: (topic, message) => pubsub.topic(topic.replace(/^.*\/topics\//, "")).publishMessage(message) });
  });
  afterAll(async () => {
    await harness.stop();
    await pubsub.close();
    await pubsubServer.close();
    if (previousHost === undefined) delete process.env["PUBSUB_EMULATOR_HOST"];
    else process.env["PUBSUB_EMULATOR_HOST"] = previousHost;
  });

  async function pull(subscription: string, count: number) {
    const client = new v1.SubscriberClient({ servicePath: "127.0.0.1", port: pubsubServer.port, sslCreds: credentials.createInsecure() });
    const messages: Array<{ data: string; attributes: Record<string, string> }> = [];
    for (let tries = 0; tries < 20 && messages.length < count; tries++) {
      const [answer] = await client.pull({ subscription: `projects/demo-test/subscriptions/${subscription}`, maxMessages: 10 });
      for (const received of answer.receivedMessages ?? []) {
        messages.push({ data: Buffer.from(received.message?.data ?? "").toString("utf8"), attributes: (received.message?.attributes ?? {}) as Record<string, string> });
        await client.acknowledge({ subscription: `projects/demo-test/subscriptions/${subscription}`, ackIds: [received.ackId!] });
      }
    }
    await client.close();
    return messages;
  }

  it("publishes OBJECT_FINALIZE with the object resource and the documented attributes, and honours event types and prefixes", async () => {
    const [topic] = await pubsub.createTopic("uploads");
    await topic.createSubscription("uploads-sub");
    const [bucket] = await harness.storage.createBucket("notified");
    await bucket.createNotification("projects/demo-test/topics/uploads", { eventTypes: ["OBJECT_FINALIZE"], objectNamePrefix: "in/", payloadFormat: "JSON_API_V1" });

    await bucket.file("in/a.txt").save("hello", { resumable: false, contentType: "text/plain" });
    await bucket.file("out/b.txt").save("ignored: other prefix", { resumable: false });
    await bucket.file("in/a.txt").delete();

    const [message, ...rest] = await pull("uploads-sub", 1);
    expect(rest).toEqual([]);
    expect(message?.attributes).toMatchObject({ eventType: "OBJECT_FINALIZE", payloadFormat: "JSON_API_V1", bucketId: "notified", objectId: "in/a.txt", objectGeneration: expect.stringMatching(/^\d+$/) });
    expect(JSON.parse(message!.data)).toMatchObject({ kind: "storage#object", bucket: "notified", name: "in/a.txt", size: "5", contentType: "text/plain" });
  });
});
