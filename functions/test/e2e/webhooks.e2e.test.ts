import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { call, createFixture, enterpriseUser, type Fixture } from "./matrix/fixtures";
import { closePubSub, eventually, relayUrl } from "../helpers/events";

/**
 * A webhook through the emulators: an endpoint created over the callable on a local receiver
 * (loopback is allowed in the emulator), an execution run over the callable, the signed
 * `execution.completed` POSTed by `deliverWebhooks` (Pub/Sub through the local server), a 500
 * retried by the scheduled `sweepWebhooks` (fired now through the event relay) with the same
 * webhook-id, both verified with `standardwebhooks` and the secret returned at creation.
 */
jest.setTimeout(180_000);

type Received = { headers: Record<string, string>; body: string; status: number };

describe("webhooks through the emulators", () => {
  let fixture: Fixture;
  let server: http.Server;
  let url: string;
  const received: Received[] = [];

  beforeAll(async () => {
    fixture = await createFixture(await enterpriseUser("webhooks-e2e"), "Webhooks e2e");
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const pick = (name: string) => String(req.headers[name] ?? "");
        // The first attempt of every message fails once.
        const status = received.some((r) => r.headers["webhook-id"] === pick("webhook-id")) ? 200 : 500;
        received.push({ headers: { "webhook-id": pick("webhook-id"), "webhook-timestamp": pick("webhook-timestamp"), "webhook-signature": pick("webhook-signature") }, body: Buffer.concat(chunks).toString("utf8"), status });
        res.writeHead(status).end(status === 200 ? "ok" : "try again");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    await closePubSub();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("delivers a signed execution.completed, and retries a 500 with the same webhook-id after a sweep", async () => {
    const { endpoint, secret } = await call<{ endpoint: { id: string }; secret: string }>("createWebhookEndpoint", { workspaceId: fixture.workspaceId, url, eventTypes: ["execution.completed"] }, fixture.owner);
    const execution = await call<{ id: string }>("runExecution", { workspaceId: fixture.workspaceId, promptId: fixture.promptId, variables: { name: "Ada" } }, fixture.owner);
    // The fixture's own execution may fan out to the new endpoint too: only this run's event counts.
    const ours = () => received.filter((r) => (JSON.parse(r.body) as { data: { executionId?: string } }).data.executionId === execution.id);

    await eventually("the first attempt", async () => (ours().length >= 1 ? true : undefined), 60_000);
    expect(ours()[0]?.status).toBe(500);
    // The retry is due 0.5-1 s later; the every-minute sweeper re-publishes it: fire it now.
    await eventually(
      "the retry",
      async () => {
        if (ours().length >= 2) return true;
        const res = await fetch(`${relayUrl()}/scheduler/jobs/sweepWebhooks:run`, { method: "POST" });
        expect(res.status).toBeLessThan(300);
        return undefined;
      },
      90_000,
    );

    const [first, second] = ours();
    const verifier = new Webhook(secret);
    for (const attempt of [first, second]) expect(verifier.verify(attempt?.body ?? "", attempt?.headers ?? {})).toMatchObject({ type: "execution.completed", data: { executionId: execution.id, workspaceId: fixture.workspaceId } });
    expect(second?.headers["webhook-id"]).toBe(first?.headers["webhook-id"]);
    expect(second?.status).toBe(200);

    const deliveryId = (first?.headers["webhook-id"] ?? "").replace(/^msg_/, "");
    expect(deliveryId.startsWith(`${endpoint.id}_`)).toBe(true);
    const delivery = await eventually("the delivery to be recorded as delivered", async () => {
      const view = await call<{ state: string; attempts: Array<{ statusCode: number }> }>("getWebhookDelivery", { workspaceId: fixture.workspaceId, deliveryId }, fixture.owner);
      return view.state === "delivered" ? view : undefined;
    });
    expect(delivery.attempts.map((a) => a.statusCode)).toEqual([500, 200]);
  });
});
