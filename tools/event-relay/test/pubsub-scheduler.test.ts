import { PubSub, type Message } from "@google-cloud/pubsub";
import type { DeliveryRecord } from "../src";
import { getJson, PROJECT, startStack, waitFor, type Invocation, type Stack } from "./harness";
import type { RunningEventRelay } from "../src";

type PubSubEvent = { data: { message: { messageId: string; json: unknown; attributes: Record<string, string> }; subscription: string } };
type Job = { name: string; function: string; nextRun: string | null; lastOutcome: string | null };

let stack: Stack;
let relay: RunningEventRelay;
let pubsub: PubSub;

beforeAll(async () => {
  stack = await startStack({ pubsub: true });
  relay = await stack.startRelay();
  pubsub = new PubSub({ projectId: PROJECT, apiEndpoint: stack.pubsubHost, emulatorMode: true });
  // Subscriptions are opened on discovery; wait until each topic has its relay subscription.
  await waitFor(() => stack.logs.filter((l) => l.event === "pubsub_subscribed").length === 3);
});

afterAll(async () => {
  await pubsub.close();
  await stack.close();
});

const calls = (name: string): Invocation[] => stack.invocations.filter((i) => i.name === name);
const deliveries = async (): Promise<DeliveryRecord[]> =>
  (await getJson<{ deliveries: DeliveryRecord[] }>(`${relay.url}/deliveries?limit=1000`)).deliveries.reverse();

describe("Pub/Sub events", () => {
  test("a published message reaches onMessagePublished with its data, attributes and id", async () => {
    const id = await pubsub.topic("notices").publishMessage({ json: { hello: "world" }, attributes: { kind: "greeting" } });
    const event = await waitFor(() => calls("bestEffort").find((i) => (i.event as PubSubEvent).data.message.messageId === id)?.event);
    expect(event).toMatchObject({
      type: "google.cloud.pubsub.topic.v1.messagePublished",
      source: `//pubsub.googleapis.com/projects/${PROJECT}/topics/notices`,
      id,
    });
    const { message, subscription } = (event as PubSubEvent).data;
    expect(message.json).toEqual({ hello: "world" });
    expect(message.attributes).toEqual({ kind: "greeting" });
    expect(subscription).toBe(`projects/${PROJECT}/subscriptions/eventarc-relay-bestEffort`);
  });

  test("a retry:true function that fails twice gets the same message again, then it is acked", async () => {
    const tries = new Map<string, number>();
    stack.behaviour.set("jobWorker", (event) => {
      const id = String(event.id);
      tries.set(id, (tries.get(id) ?? 0) + 1);
      if ((tries.get(id) ?? 0) <= 2) throw new Error("not yet");
    });
    const id = await pubsub.topic("jobs").publishMessage({ json: { job: 1 } });
    await waitFor(() => tries.get(id) === 3);
    const mine = (await deliveries()).filter((d) => d.eventId === id);
    expect(mine.map((d) => [d.attempt, d.outcome])).toEqual([
      [1, "retrying"],
      [2, "retrying"],
      [3, "delivered"],
    ]);
    await new Promise((r) => setTimeout(r, 600));
    expect(tries.get(id)).toBe(3);
    stack.behaviour.delete("jobWorker");
  });

  test("a poison message is dead-lettered to <topic>.dead-letter after 5 attempts", async () => {
    stack.behaviour.set("poisonWorker", () => {
      throw new Error("cannot parse");
    });
    const [inspect] = await pubsub.topic("poison.dead-letter").createSubscription("test-poison-inspect");
    const dead = new Promise<Message>((resolve) => inspect.once("message", (m: Message) => (m.ack(), resolve(m))));
    const id = await pubsub.topic("poison").publishMessage({ data: Buffer.from("%%%") });
    const letter = await dead;
    await inspect.close();
    expect(letter.data.toString()).toBe("%%%");
    expect(letter.attributes.CloudPubSubDeadLetterSourceDeliveryCount).toBe("5");
    expect(calls("poisonWorker").filter((i) => i.event.id === id)).toHaveLength(5);
    const mine = (await deliveries()).filter((d) => d.eventId === id);
    expect(mine.map((d) => d.outcome)).toEqual(["retrying", "retrying", "retrying", "retrying", "dead"]);
    stack.behaviour.delete("poisonWorker");
  });

  test("a failure of a function without retry drops the message", async () => {
    stack.behaviour.set("bestEffort", () => {
      throw new Error("best effort failed");
    });
    const id = await pubsub.topic("notices").publishMessage({ json: { n: 2 } });
    await waitFor(() => stack.logs.some((l) => l.id === id && l.outcome === "dropped"));
    await new Promise((r) => setTimeout(r, 600));
    expect(calls("bestEffort").filter((i) => i.event.id === id)).toHaveLength(1);
    stack.behaviour.delete("bestEffort");
  });
});

describe("scheduled functions", () => {
  const jobs = async (): Promise<Job[]> => (await getJson<{ jobs: Job[] }>(`${relay.url}/scheduler/jobs`)).jobs;

  test("GET /scheduler/jobs lists the job with its next run in its time zone", async () => {
    const [job] = await jobs();
    expect(job).toMatchObject({ name: "firebase-schedule-nightly-us-central1", function: "nightly" });
    // 03:00 in Paris is 01:00 or 02:00 UTC.
    expect(job.nextRun).toMatch(/T0[12]:00:00\.000Z$/);
  });

  test("POST /scheduler/jobs/<name>:run fires it at once with Cloud Scheduler's headers", async () => {
    const before = calls("nightly").length;
    const res = await getJson<{ outcome: string }>(`${relay.url}/scheduler/jobs/nightly:run`, { method: "POST" });
    expect(res.outcome).toBe("delivered");
    const event = calls("nightly")[before].event;
    expect(event).toMatchObject({ jobName: "firebase-schedule-nightly-us-central1" });
    expect(Date.now() - Date.parse(String(event.scheduleTime))).toBeLessThan(5000);
  });

  test("advancing the clock past the next run fires it for that schedule time, retrying a failure per retryConfig", async () => {
    const [job] = await jobs();
    const nextRun = Date.parse(String(job.nextRun));
    let failed = false;
    stack.behaviour.set("nightly", () => {
      if (!failed) {
        failed = true;
        throw new Error("first run fails");
      }
    });
    const before = calls("nightly").length;
    await getJson(`${relay.url}/scheduler/clock`, { method: "POST", body: JSON.stringify({ advanceMs: nextRun - Date.now() + 1000 }) });
    const fired = calls("nightly").slice(before);
    expect(fired.map((i) => i.event.scheduleTime)).toEqual([job.nextRun, job.nextRun]);
    const [after] = await jobs();
    expect(Date.parse(String(after.nextRun)) - nextRun).toBeGreaterThanOrEqual(23 * 3_600_000);
    expect(after.lastOutcome).toBe("delivered");
    stack.behaviour.delete("nightly");
  });

  test("POST /scheduler/jobs/<unknown>:run is 404", async () => {
    const res = await fetch(`${relay.url}/scheduler/jobs/nope:run`, { method: "POST" });
    expect(res.status).toBe(404);
  });
});
