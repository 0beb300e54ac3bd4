/**
 * gRPC status errors: the local servers' shared ones (`@rag/server-kit`), plus the status with a
 * google.rpc.ErrorInfo that production uses to report per-ack-id failures with exactly-once
 * delivery (the client reads it from `grpc-status-details-bin`).
 */
import { Metadata } from "@grpc/grpc-js";
import { RpcError, type Code } from "@rag/server-kit";
import { encodeStatusWithErrorInfo, type ErrorInfo } from "./status-details";

export { Code, RpcError, invalidArgument, notFound, alreadyExists, failedPrecondition, unimplemented, toStatus, type GrpcStatus } from "@rag/server-kit";

export function rpcErrorWithInfo(code: Code, message: string, errorInfo: ErrorInfo): RpcError {
  const metadata = new Metadata();
  metadata.set("grpc-status-details-bin", encodeStatusWithErrorInfo(code, message, errorInfo));
  return new RpcError(code, message, metadata);
}
