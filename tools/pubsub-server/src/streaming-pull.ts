/**
 * StreamingPull: the first request names the subscription and the stream's ack deadline; every
 * request may carry acks and deadline changes; an empty request is the client's keepalive.
 * Each response carries subscription_properties, from which the client learns whether
 * exactly-once delivery and ordering are on. With exactly-once delivery, acks and deadline
 * changes sent on the stream are confirmed on it, valid and invalid ids apart.
 */
import type * as grpc from "@grpc/grpc-js";
import { acknowledge, modifyDeadline } from "./acks";
import type { Broker, SubRecord } from "./broker";
import type { Consumer } from "./delivery";
import { Code, invalidArgument, RpcError, toStatus } from "./errors";
import type { ReceivedMessage, StreamingPullRequest } from "./types";

/** Default cap of unacked messages per stream when the client sends none. */
const DEFAULT_MAX_OUTSTANDING = 1000;

type Call = grpc.ServerDuplexStream<StreamingPullRequest, unknown>;

export function streamingPull(broker: Broker): grpc.handleBidiStreamingCall<StreamingPullRequest, unknown> {
  return (call: Call) => {
    let record: SubRecord | undefined;
    let consumer: Consumer | undefined;
    let ended = false;

    const properties = (): unknown => ({
      exactly_once_delivery_enabled: !!record?.resource.enable_exactly_once_delivery,
      message_ordering_enabled: !!record?.resource.enable_message_ordering,
    });
    const write = (msg: Record<string, unknown>): void => {
      if (!ended && !call.cancelled) call.write({ ...msg, subscription_properties: properties() });
    };
    const cleanup = (): void => {
      if (ended) return;
      ended = true;
      if (record && consumer) record.delivery.removeConsumer(consumer);
      record?.streams.delete(endWith);
    };
    const fail = (err: unknown): void => {
      if (ended) return;
      cleanup();
      const status = toStatus(err);
      call.emit("error", Object.assign(new Error(status.details), status));
    };
    function endWith(code: "NOT_FOUND" | "FAILED_PRECONDITION"): void {
      fail(new RpcError(Code[code], code === "NOT_FOUND" ? "Subscription does not exist" : "Subscription is detached"));
    }

    const open = (req: StreamingPullRequest): void => {
      record = broker.pullable(req.subscription);
      const deadline = req.stream_ack_deadline_seconds ?? 0;
      if (deadline < 10 || deadline > 600) throw invalidArgument(`Invalid stream_ack_deadline_seconds: ${deadline} (must be 10-600)`);
      const max = Number(req.max_outstanding_messages ?? 0) || DEFAULT_MAX_OUTSTANDING;
      const c: Consumer = {
        outstanding: 0,
        closed: false,
        ackDeadlineMs: deadline * 1000,
        room: () => max - c.outstanding,
        deliver: (messages: ReceivedMessage[]) => write({ received_messages: messages }),
      };
      consumer = c;
      record.streams.add(endWith);
    };

    const handle = (req: StreamingPullRequest): void => {
      const first = !consumer;
      if (first) open(req);
      const sub = record!;
      const eod = !!sub.resource.enable_exactly_once_delivery;
      if (req.ack_ids?.length) {
        const outcome = acknowledge(sub, req.ack_ids);
        if (eod) write({ received_messages: [], acknowledge_confirmation: { ack_ids: outcome.valid, invalid_ack_ids: outcome.invalid } });
      }
      const ids = req.modify_deadline_ack_ids ?? [];
      const seconds = req.modify_deadline_seconds ?? [];
      if (ids.length !== seconds.length) throw invalidArgument("modify_deadline_seconds and modify_deadline_ack_ids differ in length");
      const valid: string[] = [];
      const invalid: string[] = [];
      ids.forEach((id, i) => {
        const outcome = modifyDeadline(sub, [id], seconds[i]!);
        valid.push(...outcome.valid);
        invalid.push(...outcome.invalid);
      });
      if (eod && ids.length) write({ received_messages: [], modify_ack_deadline_confirmation: { ack_ids: valid, invalid_ack_ids: invalid } });
      if (first) sub.delivery.addConsumer(consumer!);
    };

    call.on("data", (req: StreamingPullRequest) => {
      if (ended) return;
      try {
        handle(req);
      } catch (err) {
        fail(err);
      }
    });
    call.on("end", () => {
      if (ended) return;
      cleanup();
      call.end();
    });
    call.on("cancelled", cleanup);
    call.on("error", cleanup);
  };
}
