import { PubSub } from "@google-cloud/pubsub";

/** The local event relay of `npm test` (Eventarc + Cloud Scheduler stand-in). */
export function relayUrl(): string {
  const url = process.env.EVENT_RELAY_URL;
  if (!url) throw new Error("EVENT_RELAY_URL is not set: run the tests with `npm test`, which starts the local stack.");
  return url;
}

export type Delivery = { function: string; source: string; type: string; eventId: string; subject?: string; attempt: number; outcome: string; status?: number; at: string };

/** The relay's recent deliveries, newest first. */
export async function deliveries(limit = 500): Promise<Delivery[]> {
  const res = await fetch(`${relayUrl()}/deliveries?limit=${limit}`);
  return ((await res.json()) as { deliveries: Delivery[] }).deliveries;
}

/**
 * Polls `check` until it returns a value (not undefined) or the budget runs out. The budget is
 * generous (a loaded machine is slow) but bounded, so a real hang fails with a message.
 */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, budgetMs = 45_000): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${budgetMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

let client: PubSub | undefined;

/** Publishes to the local Pub/Sub (server or emulator) with the real client; returns the message id. */
export async function publish(topic: string, data: unknown, attributes: Record<string, string> = {}): Promise<string> {
  client ??= new PubSub({ projectId: process.env.GCLOUD_PROJECT });
  const payload = typeof data === "string" ? Buffer.from(data) : Buffer.from(JSON.stringify(data));
  return client.topic(topic).publishMessage({ data: payload, attributes });
}

export async function closePubSub(): Promise<void> {
  await client?.close();
  client = undefined;
}
