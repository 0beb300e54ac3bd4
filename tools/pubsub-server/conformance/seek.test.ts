import { ack, pullNothing, pullUntil, setupContext, sleep, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

async function setup(options: Record<string, unknown> = {}): Promise<{ topicId: string; subId: string }> {
  const topicId = ctx.id("topic");
  const subId = ctx.id("sub");
  const [topic] = await ctx.pubsub.createTopic(topicId);
  await topic.createSubscription(subId, options);
  return { topicId, subId };
}

async function publish(topicId: string, ...texts: string[]): Promise<void> {
  for (const t of texts) await ctx.pubsub.topic(topicId).publishMessage({ data: Buffer.from(t) });
}

async function drain(subId: string, count: number): Promise<string[]> {
  const got = await pullUntil(ctx, subId, count, 4000);
  if (got.length) await ack(ctx, subId, got.map((m) => m.ackId));
  return got.map((m) => m.data).sort();
}

describe("snapshots", () => {
  it("create, get, list and delete a snapshot", async () => {
    const { subId, topicId } = await setup();
    const snapId = ctx.id("snap");
    const [snapshot] = await ctx.pubsub.subscription(subId).createSnapshot(snapId);
    expect(snapshot.name).toBe(`projects/${ctx.projectId}/snapshots/${snapId}`);
    const [meta] = await ctx.subscriber.getSnapshot({ snapshot: snapshot.name });
    expect(meta.topic).toBe(ctx.topicPath(topicId));
    expect(Number(meta.expireTime?.seconds)).toBeGreaterThan(Date.now() / 1000 + 6 * 86400);
    const [all] = await ctx.pubsub.getSnapshots();
    expect(all.map((s) => s.name)).toContain(snapshot.name);
    await snapshot.delete();
    await expect(ctx.subscriber.getSnapshot({ snapshot: snapshot.name })).rejects.toMatchObject({ code: 5 });
  });

  it("creating an existing snapshot is ALREADY_EXISTS; a missing subscription is NOT_FOUND", async () => {
    const { subId } = await setup();
    const snapId = ctx.id("snap");
    await ctx.pubsub.subscription(subId).createSnapshot(snapId);
    await expect(ctx.pubsub.subscription(subId).createSnapshot(snapId)).rejects.toMatchObject({ code: 6 });
    await expect(ctx.pubsub.subscription(ctx.id("missing")).createSnapshot(ctx.id("snap"))).rejects.toMatchObject({ code: 5 });
  });

  it("seek to a snapshot restores the backlog it captured and what was published after it", async () => {
    const { topicId, subId } = await setup();
    await publish(topicId, "a", "b");
    const sub = ctx.pubsub.subscription(subId);
    const [snapshot] = await sub.createSnapshot(ctx.id("snap"));
    await publish(topicId, "c");
    expect(await drain(subId, 3)).toEqual(["a", "b", "c"]);
    expect(await pullNothing(ctx, subId)).toBe(0);
    await sub.seek(snapshot.name);
    expect(await drain(subId, 3)).toEqual(["a", "b", "c"]);
  });

  it("messages acked before the snapshot stay acked after seeking to it", async () => {
    const { topicId, subId } = await setup();
    await publish(topicId, "old");
    expect(await drain(subId, 1)).toEqual(["old"]);
    await publish(topicId, "pending");
    const sub = ctx.pubsub.subscription(subId);
    const [snapshot] = await sub.createSnapshot(ctx.id("snap"));
    expect(await drain(subId, 1)).toEqual(["pending"]);
    await sub.seek(snapshot.name);
    expect(await drain(subId, 1)).toEqual(["pending"]);
    expect(await pullNothing(ctx, subId)).toBe(0);
  });
});

describe("seek to a time", () => {
  it("with retained acked messages, messages after the time become unacked again", async () => {
    const { topicId, subId } = await setup({ retainAckedMessages: true });
    await publish(topicId, "before");
    await sleep(50);
    const cut = new Date();
    await sleep(50);
    await publish(topicId, "after-1", "after-2");
    expect(await drain(subId, 3)).toEqual(["after-1", "after-2", "before"]);
    // Subscription.seek(Date) sends whole seconds only, so use the generated client for precision.
    const ms = cut.getTime();
    await ctx.subscriber.seek({ subscription: ctx.subPath(subId), time: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 } });
    expect(await drain(subId, 2)).toEqual(["after-1", "after-2"]);
    expect(await pullNothing(ctx, subId)).toBe(0);
  });

  it("seek to a time in the future acks everything outstanding", async () => {
    const { topicId, subId } = await setup();
    await publish(topicId, "x", "y");
    await ctx.pubsub.subscription(subId).seek(new Date(Date.now() + 60_000));
    expect(await pullNothing(ctx, subId)).toBe(0);
  });

  it("seek on a missing subscription is NOT_FOUND", async () => {
    await expect(ctx.pubsub.subscription(ctx.id("missing")).seek(new Date())).rejects.toMatchObject({ code: 5 });
  });
});

describe("retention settings", () => {
  it("messageRetentionDuration and retainAckedMessages can be updated", async () => {
    const { subId } = await setup();
    const sub = ctx.pubsub.subscription(subId);
    await sub.setMetadata({ messageRetentionDuration: { seconds: 3600 }, retainAckedMessages: true });
    const [meta] = await sub.getMetadata();
    expect(Number(meta.messageRetentionDuration?.seconds)).toBe(3600);
    expect(meta.retainAckedMessages).toBe(true);
  });
});
