import { SchemaServiceClient } from "@google-cloud/pubsub/build/src/v1";
import { gapicOptions, emulatorHost, pullNothing, setupContext, type TestContext } from "./helpers";

let ctx: TestContext;
beforeAll(() => {
  ctx = setupContext();
});
afterAll(() => ctx.close());

describe("HTTP side of the port", () => {
  it("GET / answers Ok", async () => {
    const res = await fetch(`http://${emulatorHost()}/`);
    expect(res.status).toBe(200);
    expect((await res.text()).trim()).toBe("Ok");
  });

  it("DELETE /emulator/v1/projects/{p} clears only that project", async () => {
    const other = setupContext();
    try {
      const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
      const [kept] = await other.pubsub.createTopic(other.id("topic"));
      const res = await fetch(`http://${emulatorHost()}/emulator/v1/projects/${ctx.projectId}`, { method: "DELETE" });
      expect(res.status).toBe(200);
      expect((await topic.exists())[0]).toBe(false);
      expect((await kept.exists())[0]).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe("schemas", () => {
  it("ListSchemas answers an empty list", async () => {
    const client = new SchemaServiceClient(gapicOptions(ctx.pubsub));
    try {
      const [schemas] = await client.listSchemas({ parent: `projects/${ctx.projectId}` });
      expect(schemas).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

describe("limits", () => {
  it("a Pull with max_messages 0 is INVALID_ARGUMENT", async () => {
    const [topic] = await ctx.pubsub.createTopic(ctx.id("topic"));
    const subId = ctx.id("sub");
    await topic.createSubscription(subId);
    await expect(ctx.subscriber.pull({ subscription: ctx.subPath(subId), maxMessages: 0 })).rejects.toMatchObject({ code: 3 });
    expect(await pullNothing(ctx, subId)).toBe(0);
  });
});
