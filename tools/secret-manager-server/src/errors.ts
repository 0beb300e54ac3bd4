/**
 * gRPC status errors. Handlers throw `RpcError`; the service layer turns it into the status
 * grpc-js sends, so the client sees the codes production returns.
 */
import { status } from "@grpc/grpc-js";

export { status as Code };

export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
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

export type GrpcStatus = { code: status; details: string };

/** Normalises anything thrown inside a handler into a status for grpc-js. */
export function toStatus(err: unknown): GrpcStatus {
  if (err instanceof RpcError) return { code: err.code, details: err.message };
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { code: status.INTERNAL, details: message };
}
