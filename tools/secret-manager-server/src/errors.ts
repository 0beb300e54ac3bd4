/** gRPC status errors: the local servers' shared ones (`@rag/server-kit`). */
export { Code, RpcError, invalidArgument, notFound, alreadyExists, failedPrecondition, aborted, unimplemented, toStatus, type GrpcStatus } from "@rag/server-kit";
