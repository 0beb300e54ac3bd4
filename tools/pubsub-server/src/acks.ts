/**
 * Ack and ModifyAckDeadline, shared by the unary RPCs and the streaming-pull stream. With
 * exactly-once delivery an unknown or expired ack id is an error reported per id through
 * google.rpc.ErrorInfo (PERMANENT_FAILURE_INVALID_ACK_ID), which the client turns into an
 * AckError; otherwise such ids are ignored, as production does.
 */
import type { SubRecord } from "./broker";
import { Code, invalidArgument, rpcErrorWithInfo } from "./errors";

const MAX_MODIFY_DEADLINE_S = 600;

export type AckOutcome = { valid: string[]; invalid: string[] };

export function acknowledge(record: SubRecord, ackIds: string[]): AckOutcome {
  const invalid = record.delivery.ack(ackIds);
  return { valid: ackIds.filter((id) => !invalid.includes(id)), invalid };
}

export function modifyDeadline(record: SubRecord, ackIds: string[], seconds: number): AckOutcome {
  if (seconds < 0 || seconds > MAX_MODIFY_DEADLINE_S) throw invalidArgument(`Invalid ack deadline: ${seconds} (must be 0-600)`);
  const invalid = record.delivery.modifyAckDeadline(ackIds, seconds);
  return { valid: ackIds.filter((id) => !invalid.includes(id)), invalid };
}

/** Throws the exactly-once failure status when some ids were invalid. */
export function failInvalid(record: SubRecord, outcome: AckOutcome): void {
  if (!record.resource.enable_exactly_once_delivery || outcome.invalid.length === 0) return;
  const metadata = Object.fromEntries(outcome.invalid.map((id) => [id, "PERMANENT_FAILURE_INVALID_ACK_ID"]));
  throw rpcErrorWithInfo(Code.INVALID_ARGUMENT, "Some acknowledgement ids in the request were invalid.", {
    reason: "EXACTLY_ONCE_ACKID_FAILURE",
    domain: "pubsub.googleapis.com",
    metadata,
  });
}
