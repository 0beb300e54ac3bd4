/**
 * Push delivery: a consumer of a subscription's backlog that POSTs each message to the push
 * endpoint with production's JSON envelope. 102, 200, 201, 202 and 204 acknowledge; any other
 * status, a network error or no answer within the ack deadline is a nack (retry-policy backoff,
 * dead letter after the last attempt).
 */
import type { Consumer, Delivery } from "./delivery";
import { timestampMs, toRfc3339 } from "./time";
import type { PushConfig, ReceivedMessage } from "./types";

export type Fetch = typeof fetch;

const ACK_STATUSES = new Set([102, 200, 201, 202, 204]);
/** Requests in flight per subscription; production adapts this, a fixed window is enough here. */
const MAX_IN_FLIGHT = 16;

export class PushDispatcher implements Consumer {
  outstanding = 0;
  closed = false;
  private readonly controllers = new Set<AbortController>();

  constructor(
    private readonly subscription: string,
    private readonly config: () => PushConfig,
    private readonly delivery: () => Delivery,
    private readonly deadlineMs: () => number,
    private readonly fetchFn: Fetch,
  ) {}

  room(): number {
    return this.closed ? 0 : MAX_IN_FLIGHT - this.outstanding;
  }

  deliver(messages: ReceivedMessage[]): void {
    for (const m of messages) void this.push(m);
  }

  close(): void {
    this.closed = true;
    for (const c of this.controllers) c.abort();
  }

  private async push(received: ReceivedMessage): Promise<void> {
    const config = this.config();
    const endpoint = config.push_endpoint;
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), this.deadlineMs());
    timer.unref();
    let ok = false;
    try {
      const res = await this.fetchFn(endpoint!, { method: "POST", ...this.request(received, config), signal: controller.signal });
      await res.arrayBuffer().catch(() => undefined);
      ok = ACK_STATUSES.has(res.status);
    } catch {
      ok = false;
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
    if (this.closed) return;
    const delivery = this.delivery();
    if (ok) delivery.ack([received.ack_id]);
    else delivery.modifyAckDeadline([received.ack_id], 0);
  }

  private request(received: ReceivedMessage, config: PushConfig): { headers: Record<string, string>; body: Buffer | string } {
    const m = received.message;
    const attributes = m.attributes ?? {};
    if (config.no_wrapper) {
      const headers: Record<string, string> = { "content-type": "application/octet-stream" };
      if (config.no_wrapper.write_metadata) {
        for (const [k, v] of Object.entries(attributes)) headers[`x-goog-pubsub-${k}`] = v;
        headers["x-goog-pubsub-message-id"] = m.message_id ?? "";
        headers["x-goog-pubsub-subscription-name"] = this.subscription;
        headers["x-goog-pubsub-publish-time"] = toRfc3339(timestampMs(m.publish_time));
      }
      return { headers, body: m.data ?? Buffer.alloc(0) };
    }
    const publishTime = toRfc3339(timestampMs(m.publish_time));
    const message: Record<string, unknown> = {
      attributes,
      data: (m.data ?? Buffer.alloc(0)).toString("base64"),
      messageId: m.message_id,
      message_id: m.message_id,
      publishTime,
      publish_time: publishTime,
    };
    if (m.ordering_key) message["orderingKey"] = m.ordering_key;
    const body: Record<string, unknown> = { message, subscription: this.subscription };
    if (received.delivery_attempt !== undefined) body["deliveryAttempt"] = received.delivery_attempt;
    return { headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  }
}
