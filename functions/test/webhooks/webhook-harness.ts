import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Firestore } from "firebase-admin/firestore";
import { Webhook } from "standardwebhooks";
import { createAccessControl } from "../../src/identity/access-control";
import { passThroughCache } from "../../src/lib/cache";
import { manualClock } from "../../src/lib/clock";
import { createMemoryGate } from "../../src/webhooks/endpoint-gate";
import { createWebhookDispatcher, type DispatcherSettings } from "../../src/webhooks/webhook-dispatcher";
import { createWebhookHttp, type WebhookHttp } from "../../src/webhooks/webhook-http";
import { createWebhookService } from "../../src/webhooks/webhook-service";
import { createSecretBox } from "../../src/webhooks/webhook-signing";
import { createWebhookSweeper } from "../../src/webhooks/webhook-sweeper";
import { freshWorkspace } from "../helpers/firestore";

export type Received = { id: string; timestamp: string; signature: string; body: string; verified: boolean };

/** A receiver on 127.0.0.1 (ephemeral port) answering each request with `answer(n)`; verifies with `standardwebhooks`. */
export async function startReceiver(answer: (n: number, req: http.IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string; hangMs?: number }) {
  const received: Received[] = [];
  let secrets: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = { "webhook-id": String(req.headers["webhook-id"]), "webhook-timestamp": String(req.headers["webhook-timestamp"]), "webhook-signature": String(req.headers["webhook-signature"]) };
      const verified = secrets.length > 0 && secrets.every((s) => verifies(s, body, headers));
      received.push({ id: headers["webhook-id"], timestamp: headers["webhook-timestamp"], signature: headers["webhook-signature"], body, verified });
      const reply = answer(received.length, req);
      const send = () => {
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? "");
      };
      if (reply.hangMs) setTimeout(send, reply.hangMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** The secrets every request must verify with (all of them: a rotation signs with both). */
    expectSecrets(list: string[]) {
      secrets = list;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function verifies(secret: string, body: string, headers: Record<string, string>): boolean {
  try {
    // standardwebhooks checks the timestamp against the real clock: the harness' manual clock starts now.
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

/** The webhook graph on the local Firestore with a manual clock, a capturing publisher and the real transport (loopback allowed). */
export async function webhookHarness(settings: Partial<DispatcherSettings> = {}, options: { random?: () => number; http?: WebhookHttp; drainConcurrency?: number; db?: Firestore } = {}) {
  const ws = await freshWorkspace("wh", undefined, options.db);
  const clock = manualClock(Date.now());
  const published: string[] = [];
  const publisher = {
    async publish(topic: string, message: { data: Buffer }) {
      if (topic === "webhook-deliveries") published.push((JSON.parse(message.data.toString()) as { deliveryId: string }).deliveryId);
      return "m";
    },
  };
  const secrets = createSecretBox(() => "test-webhook-secret-key-0123456789");
  const dispatcher = createWebhookDispatcher({
    db: ws.db,
    clock,
    publisher,
    http: options.http ?? createWebhookHttp({ allowLoopback: true, allowHttp: true }),
    secrets,
    gate: createMemoryGate(),
    limiter: null,
    random: options.random,
    settings: { attemptTimeoutMs: 2_000, ...settings },
  });
  const sweeper = createWebhookSweeper({ db: ws.db, clock, dispatcher });
  const access = createAccessControl({ db: ws.db, cache: passThroughCache });
  const webhooks = createWebhookService({ db: ws.db, clock, access, secrets, dispatcher, sweeper, allowLocalUrls: true });

  /**
   * Delivers every published message (and what the deliveries publish in turn), like the Pub/Sub
   * worker would: at most `drainConcurrency` at once, as a subscription's flow control and the
   * function's instances bound it in production.
   */
  async function drain(): Promise<void> {
    const worker = async () => {
      for (let id = published.shift(); id !== undefined; id = published.shift()) await dispatcher.deliver(id);
    };
    while (published.length > 0) await Promise.all(Array.from({ length: options.drainConcurrency ?? 32 }, worker));
  }

  /** Moves time on by `ms`, sweeps and delivers what became due. */
  async function tick(ms: number): Promise<void> {
    clock.advance(ms);
    await sweeper.sweep();
    await drain();
  }

  let seq = 0;
  const event = (type = "execution.completed", data: Record<string, unknown> = {}) => ({
    id: `evt-${Date.now()}-${++seq}-${Math.random().toString(36).slice(2, 8)}`,
    type: type as "execution.completed",
    workspaceId: ws.workspaceId,
    subject: "executions/x",
    occurredAt: new Date(clock.now()).toISOString(),
    data: { executionId: "x1", promptId: "p1", version: 1, ...data },
  });

  return { ...ws, clock, published, dispatcher, sweeper, webhooks, drain, tick, event };
}
