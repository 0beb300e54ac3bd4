/** gRPC status errors: the local servers' shared ones (`@rag/server-kit`). */
export { Code, RpcError, invalidArgument, notFound, alreadyExists, failedPrecondition, aborted, toStatus } from "@rag/server-kit";
