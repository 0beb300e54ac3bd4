import { pullNothing, pullUntil, setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

const messages: Record<string, string>[] = [
  { kind: "order", region: "eu-west" },
  { kind: "order", region: "us-east" },
  { kind: "refund", region: "eu-north" },
  { kind: "refund" },
  { other: "x" },
];

const cases: [string, number[]][] = [
  ['attributes.kind = "order"', [0, 1]],
  ['attributes.kind != "order"', [2, 3]],
  ["attributes:region", [0, 1, 2]],
  ["NOT attributes:kind", [4]],
  ['hasPrefix(attributes.region, "eu-")', [0, 2]],
  ['attributes.kind = "refund" AND attributes:region', [2]],
  ['attributes.kind = "order" OR attributes:other', [0, 1, 4]],
  ['attributes.kind = "refund" AND (attributes.region = "eu-north" OR NOT attributes:region)', [2, 3]],
  ['NOT (attributes.kind = "order" OR attributes.kind = "refund")', [4]],
  ["-attributes:kind", [4]],
];
const subIds = new Map<string, string>();

/** One topic, one subscription per filter, every message published once. */
beforeAll(async () => {
  const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
  for (const [filter] of cases) {
    const subId = ctx.id("sub");
    await topic.createSubscription(subId, { filter });
    subIds.set(filter, subId);
  }
  for (const [i, attributes] of messages.entries()) await topic.publishMessage({ data: Buffer.from(String(i)), attributes });
});

describe("subscription filters", () => {
  it.each(cases)("%s", async (filter, expected) => {
    const subId = subIds.get(filter)!;
    const got = await pullUntil(ctx, subId, expected.length, 3000);
    expect(got.map((m) => Number(m.data)).sort()).toEqual(expected);
    expect(await pullNothing(ctx, subId)).toBe(0);
  });

  it("messages the filter rejects are acknowledged, never delivered later", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const subId = ctx.id("sub");
    await topic.createSubscription(subId, { filter: "attributes:wanted" });
    await topic.publishMessage({ data: Buffer.from("no"), attributes: { unwanted: "1" } });
    expect(await pullNothing(ctx, subId)).toBe(0);
    await ctx.subscriber.seek({ subscription: ctx.subPath(subId), time: { seconds: 0 } });
    expect(await pullNothing(ctx, subId)).toBe(0);
  });

  it.each(['attributes.kind = order', "attributes.", "hasPrefix(attributes.a)", '(attributes:a', "data = \"x\""])(
    "invalid filter %s is INVALID_ARGUMENT",
    async (filter) => {
      const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
      await expect(topic.createSubscription(ctx.id("sub"), { filter })).rejects.toMatchObject({ code: 3 });
    },
  );
});
