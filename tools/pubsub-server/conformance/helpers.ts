/**
 * Shared helpers: every client talks to PUBSUB_EMULATOR_HOST through @google-cloud/pubsub only
 * (the PubSub class, and its generated v1 clients for unary Pull and raw StreamingPull). Every
 * file uses its own project id and every test its own topic and subscription names, so the
 * suite also runs against Google's emulator.
 */
import { randomBytes } from "node:crypto";
import { PubSub, v1, type Message, type Subscription } from "@google-cloud/pubsub";

export function emulatorHost(): string {
  const host = process.env["PUBSUB_EMULATOR_HOST"];
  if (!host) throw new Error("PUBSUB_EMULATOR_HOST is not set (the global setup should have set it)");
  return host;
}

export const uid = (): string => randomBytes(5).toString("hex");
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export type TestContext = {
  projectId: string;
  pubsub: PubSub;
  /** The generated Subscriber client (unary Pull, ModifyAckDeadline, raw StreamingPull). */
  subscriber: v1.SubscriberClient;
  /** A fresh resource id for one test. */
  id(prefix?: string): string;
  /** Full subscription name of an id. */
  subPath(id: string): string;
  topicPath(id: string): string;
  close(): Promise<void>;
};

export type GapicOptions = NonNullable<ConstructorParameters<typeof v1.SubscriberClient>[0]>;

/** Options for a generated v1 client that reach the same server as `pubsub`. */
export function gapicOptions(pubsub: PubSub): GapicOptions {
  const { port, ...rest } = pubsub.options;
  return { ...rest, port: port === undefined ? undefined : Number(port) } as GapicOptions;
}

/** A PubSub client on a unique `demo-conformance-*` project. Call in `beforeAll`. */
export function setupContext(): TestContext {
  const projectId = `demo-conformance-${uid()}`;
  const pubsub = new PubSub({ projectId });
  const subscriber = new v1.SubscriberClient(gapicOptions(pubsub));
  return {
    projectId,
    pubsub,
    subscriber,
    id: (prefix = "r") => `${prefix}-${uid()}`,
    subPath: (id) => `projects/${projectId}/subscriptions/${id}`,
    topicPath: (id) => `projects/${projectId}/topics/${id}`,
    close: async () => {
      await subscriber.close();
      await pubsub.close();
    },
  };
}

/** Unary Pull until `count` messages arrived (or the timeout); does not ack. */
export async function pullUntil(ctx: TestContext, subId: string, count: number, timeoutMs = 8000): Promise<Received[]> {
  const out: Received[] = [];
  const until = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < until) {
    const [res] = await ctx.subscriber.pull({ subscription: ctx.subPath(subId), maxMessages: count - out.length });
    for (const m of res.receivedMessages ?? []) out.push({ ackId: m.ackId!, data: Buffer.from(m.message!.data as Uint8Array).toString(), attributes: m.message!.attributes ?? {}, deliveryAttempt: m.deliveryAttempt ?? 0, messageId: m.message!.messageId! });
  }
  return out;
}

export type Received = { ackId: string; data: string; attributes: Record<string, string>; deliveryAttempt: number; messageId: string };

/** How many messages one unary Pull with return_immediately gets (for "nothing is delivered" checks). */
export async function pullNothing(ctx: TestContext, subId: string): Promise<number> {
  const [res] = await ctx.subscriber.pull({ subscription: ctx.subPath(subId), maxMessages: 10, returnImmediately: true });
  return res.receivedMessages?.length ?? 0;
}

export async function ack(ctx: TestContext, subId: string, ackIds: string[]): Promise<void> {
  await ctx.subscriber.acknowledge({ subscription: ctx.subPath(subId), ackIds });
}

export async function modAck(ctx: TestContext, subId: string, ackIds: string[], seconds: number): Promise<void> {
  await ctx.subscriber.modifyAckDeadline({ subscription: ctx.subPath(subId), ackIds, ackDeadlineSeconds: seconds });
}

/**
 * Listens on `sub` with the streaming-pull subscriber; `onMessage` decides what to do with each
 * message. Resolves once `done()` returns true, then closes the subscriber.
 */
export function listen(sub: Subscription, onMessage: (m: Message) => void, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void sub.close();
      reject(new Error("timed out waiting for messages"));
    }, timeoutMs);
    sub.on("error", (err) => {
      clearTimeout(timer);
      void sub.close();
      reject(err);
    });
    sub.on("message", (m: Message) => {
      onMessage(m);
      if (done()) {
        clearTimeout(timer);
        sub.removeAllListeners("message");
        sub.close().then(resolve, reject);
      }
    });
  });
}

/** Expects `promise` to fail with gRPC status `code`. */
export async function expectCode(promise: Promise<unknown>, code: number): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

export const Status = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, FAILED_PRECONDITION: 9, UNIMPLEMENTED: 12 } as const;
