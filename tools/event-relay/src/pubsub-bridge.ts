/**
 * Pub/Sub → functions, as Eventarc does it: one subscription per function on its topic
 * (`eventarc-relay-<function>`), each message POSTed as `google.cloud.pubsub.topic.v1.messagePublished`.
 * Success acks. A failure nacks when the function has `retry: true` (the subscription's retry
 * policy spaces redeliveries and its dead-letter policy ends them) and acks (drops) otherwise.
 */
import { PubSub, type Message, type Subscription } from "@google-cloud/pubsub";
import type { Deliverer, Job } from "./deliverer";
import { cloudEventRequest } from "./emulator-client";
import type { Logger, PubSubTrigger, Trigger } from "./types";

export type PubSubBridgeOptions = {
  /** `host:port` of the Pub/Sub server (PUBSUB_EMULATOR_HOST). */
  host: string;
  project: string;
  /** Subscription retry policy. @default 10 / 600 (production's defaults) */
  minBackoffSeconds: number;
  maxBackoffSeconds: number;
  /** Dead-letter topic `<topic>.dead-letter` for `retry: true` functions. @default true */
  deadLetter: boolean;
  /** @default 5 */
  maxDeliveryAttempts: number;
  /** Messages one function handles at once. @default 10 */
  maxMessagesPerFunction: number;
};

const ALREADY_EXISTS = 6;
const hasCode = (err: unknown, code: number): boolean => typeof err === "object" && err !== null && "code" in err && err.code === code;

export const subscriptionName = (fn: string): string => `eventarc-relay-${fn}`;
export const deadLetterTopicName = (topic: string): string => `${topic}.dead-letter`;

export class PubSubBridge {
  private readonly client: PubSub;
  private readonly active = new Map<string, { signature: string; subscription: Subscription }>();
  private readonly attempts = new Map<string, number>();
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: PubSubBridgeOptions,
    private readonly deliverer: Deliverer,
    private readonly log: Logger,
  ) {
    this.client = new PubSub({ projectId: options.project, apiEndpoint: options.host, emulatorMode: true });
  }

  /** Opens, re-opens or closes subscriptions to match the current triggers (serialized). */
  sync(triggers: Trigger[]): Promise<void> {
    this.syncing = this.syncing.then(() => this.apply(triggers.filter((t): t is PubSubTrigger => t.kind === "pubsub")));
    return this.syncing;
  }

  async close(): Promise<void> {
    await this.syncing.catch(() => undefined);
    await Promise.all([...this.active.values()].map((a) => a.subscription.close().catch(() => undefined)));
    this.active.clear();
    await this.client.close();
  }

  private async apply(triggers: PubSubTrigger[]): Promise<void> {
    const wanted = new Map(triggers.map((t) => [t.name, t]));
    for (const [name, a] of this.active) {
      const t = wanted.get(name);
      if (!t || signatureOf(t) !== a.signature) {
        await a.subscription.close().catch(() => undefined);
        this.active.delete(name);
      }
    }
    for (const t of triggers) {
      if (this.active.has(t.name)) continue;
      try {
        const subscription = await this.open(t);
        this.active.set(t.name, { signature: signatureOf(t), subscription });
        this.log({ severity: "INFO", event: "pubsub_subscribed", function: t.name, topic: t.topic, subscription: subscription.name, retry: t.retry });
      } catch (err) {
        // Retried on the next discovery poll.
        this.log({ severity: "WARNING", event: "pubsub_subscribe_failed", function: t.name, topic: t.topic, error: String(err) });
      }
    }
  }

  private async ensureTopic(name: string): Promise<void> {
    await this.client.createTopic(name).catch((err: unknown) => {
      if (!hasCode(err, ALREADY_EXISTS)) throw err;
    });
  }

  private async open(t: PubSubTrigger): Promise<Subscription> {
    const o = this.options;
    await this.ensureTopic(t.topic);
    const deadLetter = t.retry && o.deadLetter ? deadLetterTopicName(t.topic) : undefined;
    if (deadLetter) await this.ensureTopic(deadLetter);
    const metadata = {
      ackDeadlineSeconds: Math.min(600, Math.max(10, t.timeoutSeconds + 10)),
      enableMessageOrdering: true,
      retryPolicy: { minimumBackoff: duration(o.minBackoffSeconds), maximumBackoff: duration(o.maxBackoffSeconds) },
      ...(deadLetter
        ? { deadLetterPolicy: { deadLetterTopic: `projects/${o.project}/topics/${deadLetter}`, maxDeliveryAttempts: o.maxDeliveryAttempts } }
        : {}),
    };
    const name = subscriptionName(t.name);
    const existing = this.client.subscription(name);
    const [exists] = await existing.exists();
    if (exists) {
      const [current] = await existing.getMetadata();
      if (current.topic !== `projects/${o.project}/topics/${t.topic}`) {
        await existing.delete();
        await this.client.topic(t.topic).createSubscription(name, metadata);
      } else {
        await existing.setMetadata({
          ackDeadlineSeconds: metadata.ackDeadlineSeconds,
          retryPolicy: metadata.retryPolicy,
          deadLetterPolicy: metadata.deadLetterPolicy ?? null,
        });
      }
    } else {
      await this.client.topic(t.topic).createSubscription(name, metadata);
    }
    const subscription = this.client.subscription(name, { flowControl: { maxMessages: o.maxMessagesPerFunction, allowExcessMessages: false } });
    subscription.on("message", (message: Message) => void this.onMessage(t, subscription.name, message));
    subscription.on("error", (err: unknown) => this.log({ severity: "WARNING", event: "pubsub_stream_error", function: t.name, error: String(err) }));
    return subscription;
  }

  private async onMessage(t: PubSubTrigger, subscription: string, message: Message): Promise<void> {
    const key = `${t.name}\u0000${message.id}`;
    // deliveryAttempt is only set with a dead-letter policy; count locally otherwise.
    const attempt = message.deliveryAttempt || (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    const publishTime = message.publishTime.toISOString();
    const data = {
      message: {
        data: message.data.toString("base64"),
        attributes: message.attributes,
        messageId: message.id,
        message_id: message.id,
        publishTime,
        publish_time: publishTime,
        ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
      },
      subscription,
    };
    const job: Job = {
      trigger: t,
      source: "pubsub",
      type: "google.cloud.pubsub.topic.v1.messagePublished",
      eventId: message.id,
      orderKey: message.orderingKey || message.id,
      request: cloudEventRequest({
        id: message.id,
        type: "google.cloud.pubsub.topic.v1.messagePublished",
        source: `//pubsub.googleapis.com/projects/${this.options.project}/topics/${t.topic}`,
        time: publishTime,
        extensions: {},
        contentType: "application/json",
        body: Buffer.from(JSON.stringify(data)),
      }),
    };
    const result = await this.deliverer.attempt(job);
    const deadLettered = t.retry && this.options.deadLetter && attempt >= this.options.maxDeliveryAttempts;
    const outcome = result.ok ? "delivered" : !t.retry ? "dropped" : deadLettered ? "dead" : "retrying";
    this.deliverer.record(job, attempt, result, outcome);
    if (outcome === "retrying" || outcome === "dead") {
      if (outcome === "dead") this.attempts.delete(key);
      message.nack();
    } else {
      this.attempts.delete(key);
      message.ack();
    }
  }
}

const signatureOf = (t: PubSubTrigger): string => JSON.stringify([t.topic, t.retry, t.timeoutSeconds]);

const duration = (seconds: number): { seconds: number; nanos: number } => ({
  seconds: Math.floor(seconds),
  nanos: Math.round((seconds - Math.floor(seconds)) * 1e9),
});
