/** gRPC handlers of google.pubsub.v1.Subscriber (StreamingPull lives in streaming-pull.ts). */
import type * as grpc from "@grpc/grpc-js";
import { acknowledge, failInvalid, modifyDeadline } from "./acks";
import type { Broker } from "./broker";
import type { Consumer } from "./delivery";
import { invalidArgument } from "./errors";
import { parseProject } from "./names";
import { paginate } from "./paging";
import { unary } from "./rpc";
import { streamingPull } from "./streaming-pull";
import { timestampMs } from "./time";
import type { FieldMask, ReceivedMessage, Snapshot, Subscription, Timestamp } from "./types";

type ListRequest = { project?: string; page_size?: number; page_token?: string };
type PullRequest = { subscription?: string; max_messages?: number; return_immediately?: boolean };

export type SubscriberOptions = {
  /** How long a unary Pull waits for messages before answering empty. @default 1000 */
  pullWaitMs?: number;
};

export function subscriberHandlers(broker: Broker, options: SubscriberOptions = {}): grpc.UntypedServiceImplementation {
  const pullWaitMs = options.pullWaitMs ?? 1000;

  const pull = (req: PullRequest, call: grpc.ServerUnaryCall<PullRequest, unknown>): Promise<{ received_messages: ReceivedMessage[] }> => {
    const record = broker.pullable(req.subscription);
    const max = req.max_messages ?? 0;
    if (max <= 0) throw invalidArgument("max_messages must be positive");
    return new Promise((resolve) => {
      let done = false;
      const finish = (messages: ReceivedMessage[]): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        record.delivery.removeConsumer(consumer);
        resolve({ received_messages: messages });
      };
      const consumer: Consumer = { outstanding: 0, closed: false, room: () => (done ? 0 : max), deliver: finish };
      const timer = setTimeout(() => finish([]), req.return_immediately ? 0 : pullWaitMs);
      timer.unref();
      call.on("cancelled", () => finish([]));
      record.delivery.addConsumer(consumer);
    });
  };

  return {
    CreateSubscription: unary((req: Subscription) => broker.createSubscription(req)),
    GetSubscription: unary((req: { subscription?: string }) => broker.requireSub(req.subscription).resource),
    UpdateSubscription: unary((req: { subscription?: Subscription; update_mask?: FieldMask }) =>
      broker.updateSubscription(req.subscription, req.update_mask?.paths ?? []),
    ),
    ListSubscriptions: unary((req: ListRequest) => {
      const project = parseProject(req.project);
      const all = [...broker.subs.values()].map((s) => s.resource).filter((s) => s.name!.split("/")[1] === project);
      const page = paginate(all, (s) => s.name!, req.page_size, req.page_token);
      return { subscriptions: page.items, next_page_token: page.next_page_token };
    }),
    DeleteSubscription: unary((req: { subscription?: string }) => broker.deleteSubscription(req.subscription)),
    ModifyAckDeadline: unary((req: { subscription?: string; ack_ids?: string[]; ack_deadline_seconds?: number }) => {
      const record = broker.requireSub(req.subscription);
      if (!req.ack_ids?.length) throw invalidArgument("ack_ids must not be empty");
      failInvalid(record, modifyDeadline(record, req.ack_ids, req.ack_deadline_seconds ?? 0));
    }),
    Acknowledge: unary((req: { subscription?: string; ack_ids?: string[] }) => {
      const record = broker.requireSub(req.subscription);
      if (!req.ack_ids?.length) throw invalidArgument("ack_ids must not be empty");
      failInvalid(record, acknowledge(record, req.ack_ids));
    }),
    Pull: unary(pull),
    StreamingPull: streamingPull(broker),
    ModifyPushConfig: unary((req: { subscription?: string; push_config?: Subscription["push_config"] }) => {
      broker.updateSubscription({ name: req.subscription, push_config: req.push_config ?? {} }, ["push_config"]);
    }),
    GetSnapshot: unary((req: { snapshot?: string }) => broker.snapshots.get(req.snapshot)),
    ListSnapshots: unary((req: ListRequest) => {
      const page = paginate(broker.snapshots.list(parseProject(req.project)), (s) => s.name!, req.page_size, req.page_token);
      return { snapshots: page.items, next_page_token: page.next_page_token };
    }),
    CreateSnapshot: unary((req: { name?: string; subscription?: string; labels?: Record<string, string> }) =>
      broker.snapshots.create(req.name, req.subscription, req.labels),
    ),
    UpdateSnapshot: unary((req: { snapshot?: Snapshot; update_mask?: FieldMask }) => broker.snapshots.update(req.snapshot, req.update_mask?.paths ?? [])),
    DeleteSnapshot: unary((req: { snapshot?: string }) => broker.snapshots.delete(req.snapshot)),
    Seek: unary((req: { subscription?: string; time?: Timestamp; snapshot?: string; target?: string }) => {
      if (req.snapshot) broker.snapshots.seek(req.subscription, req.snapshot);
      else if (req.time) broker.seekToTime(req.subscription, timestampMs(req.time));
      else throw invalidArgument("Seek needs a time or a snapshot");
      return {};
    }),
  };
}
