export { listenOnePort, type OnePortServer } from "./one-port";
export { cliArg, cliArgs, serveFromCli } from "./cli";
export { Code, RpcError, invalidArgument, notFound, alreadyExists, failedPrecondition, aborted, unimplemented, toStatus, type GrpcStatus } from "./grpc-errors";
export { paginate, type Page } from "./paging";
export { unary } from "./grpc-unary";
export { LOADER_OPTIONS, clientProtoDirs } from "./client-protos";
