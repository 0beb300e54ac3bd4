/** Adapts plain (possibly async) functions to grpc-js unary handlers: the local servers' shared adapter (`@rag/server-kit`). */
export { unary } from "@rag/server-kit";
