/** Adapts plain (possibly async) functions to grpc-js unary handlers with proper statuses. */
import type * as grpc from "@grpc/grpc-js";
import { toStatus } from "./grpc-errors";

export function unary<Req>(fn: (req: Req, call: grpc.ServerUnaryCall<Req, unknown>) => unknown): grpc.handleUnaryCall<Req, unknown> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then(
        (res) => callback(null, res ?? {}),
        (err: unknown) => callback(toStatus(err)),
      );
  };
}
