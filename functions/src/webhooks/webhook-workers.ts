import { z } from "zod";
import { publishedDomainEvent } from "../events/event-stats";
import type { WebhookDispatcher } from "./webhook-dispatcher";
import type { WebhookSweeper } from "./webhook-sweeper";

const deliveryMessage = z.strictObject({ deliveryId: z.string().regex(/^[A-Za-z0-9_-]{1,300}$/) });
const scheduledRun = z.looseObject({ scheduleTime: z.string() });

/** The webhook workers; the composition root builds them with `createWorker`. */
export function webhookWorkers({ dispatcher, sweeper }: { dispatcher: Pick<WebhookDispatcher, "fanOut" | "deliver">; sweeper: Pick<WebhookSweeper, "sweep"> }) {
  return {
    /** Consumer of `domain-events`: one delivery per subscribed endpoint, once per domain event id. */
    fanOut: {
      name: "webhooks.fanout",
      payload: publishedDomainEvent,
      // The outbox may publish one event twice (two message ids): fan it out once.
      idempotencyKey: (event: z.output<typeof publishedDomainEvent>) => event.id,
      handle: async (event: z.output<typeof publishedDomainEvent>) => {
        await dispatcher.fanOut(event);
      },
    },
    /**
     * Consumer of `webhook-deliveries`: one HTTP attempt. Idempotent by the delivery's own state and
     * lease (a duplicate message finds it taken or done), so no marker; a failed attempt is a
     * recorded outcome, not a thrown error, and its retry is scheduled by the sweeper.
     */
    deliver: {
      name: "webhooks.deliver",
      payload: deliveryMessage,
      idempotency: "none" as const,
      handle: async ({ deliveryId }: z.output<typeof deliveryMessage>) => {
        await dispatcher.deliver(deliveryId);
      },
    },
    /** Every minute: due retries re-published, dead workers' attempts taken back, recovery jobs advanced. */
    sweep: {
      name: "webhooks.sweep",
      payload: scheduledRun,
      idempotency: "none" as const,
      handle: async () => {
        await sweeper.sweep();
      },
    },
  };
}
