/**
 * gRPC status errors. Handlers throw `RpcError`; the service layer turns it into the status
 * grpc-js sends, so the client sees the codes production returns. An error may carry a
 * google.rpc.ErrorInfo, which is how production reports per-ack-id failures with exactly-once
 * delivery (the client reads it from `grpc-status-details-bin`).
 */
import { Metadata, status } from "@grpc/grpc-js";
import { encodeStatusWithErrorInfo, type ErrorInfo } from "./status-details";

export { status as Code };

export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly errorInfo?: ErrorInfo,
  ) {
    super(message);
  }
}

export const invalidArgument = (message: string): RpcError => new RpcError(status.INVALID_ARGUMENT, message);
export const notFound = (message: string): RpcError => new RpcError(status.NOT_FOUND, message);
export const alreadyExists = (message: string): RpcError => new RpcError(status.ALREADY_EXISTS, message);
export const failedPrecondition = (message: string): RpcError => new RpcError(status.FAILED_PRECONDITION, message);
export const unimplemented = (message: string): RpcError => new RpcError(status.UNIMPLEMENTED, message);

export type GrpcStatus = { code: status; details: string; metadata?: Metadata };

/** Normalises anything thrown inside a handler into a status for grpc-js. */
export function toStatus(err: unknown): GrpcStatus {
  if (err instanceof RpcError) {
    if (!err.errorInfo) return { code: err.code, details: err.message };
    const metadata = new Metadata();
    metadata.set("grpc-status-details-bin", encodeStatusWithErrorInfo(err.code, err.message, err.errorInfo));
    return { code: err.code, details: err.message, metadata };
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { code: status.INTERNAL, details: message };
}
