/**
 * gRPC status errors of the local servers. Handlers throw `RpcError`; the service layer turns it
 * into the status grpc-js sends (`toStatus`), so clients see the codes production returns
 * (NOT_FOUND, ALREADY_EXISTS, ABORTED, ...). Trailing metadata rides along when a status needs
 * details (Pub/Sub's per-ack-id ErrorInfo).
 */
import { type Metadata, status } from "@grpc/grpc-js";

export { status as Code };

export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly metadata?: Metadata,
  ) {
    super(message);
  }
}

export const invalidArgument = (message: string): RpcError => new RpcError(status.INVALID_ARGUMENT, message);
export const notFound = (message: string): RpcError => new RpcError(status.NOT_FOUND, message);
export const alreadyExists = (message: string): RpcError => new RpcError(status.ALREADY_EXISTS, message);
export const failedPrecondition = (message: string): RpcError => new RpcError(status.FAILED_PRECONDITION, message);
export const aborted = (message: string): RpcError => new RpcError(status.ABORTED, message);
export const unimplemented = (message: string): RpcError => new RpcError(status.UNIMPLEMENTED, message);

export type GrpcStatus = { code: status; details: string; metadata?: Metadata };

/** Normalises anything thrown inside a handler into a status for grpc-js (unknown errors: INTERNAL with the stack, a local server's debugging aid). */
export function toStatus(err: unknown): GrpcStatus {
  if (err instanceof RpcError) return err.metadata ? { code: err.code, details: err.message, metadata: err.metadata } : { code: err.code, details: err.message };
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { code: status.INTERNAL, details: message };
}
