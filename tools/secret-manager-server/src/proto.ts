/**
 * Loads google.cloud.secretmanager.v1.SecretManagerService from the .proto files that
 * @google-cloud/secret-manager ships, so the wire format is exactly the client's.
 */
import type * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import * as path from "node:path";

/** Decoding options the whole server relies on (see types.ts). */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
};

/** Secret Manager's own protos, plus google/api, google/iam and google/protobuf ones from the client's google-gax. */
function protosDirs(): string[] {
  const clientRoot = path.dirname(require.resolve("@google-cloud/secret-manager/package.json"));
  // google-gax exports no package.json; its entry point is build/src/index.js.
  const gaxBuild = path.join(path.dirname(require.resolve("google-gax", { paths: [clientRoot] })), "..");
  return [path.join(clientRoot, "build", "protos"), path.join(gaxBuild, "protos")];
}

let cached: grpc.ServiceDefinition | undefined;

export function secretManagerService(): grpc.ServiceDefinition {
  if (cached) return cached;
  const def = protoLoader.loadSync(["google/cloud/secretmanager/v1/service.proto"], { ...LOADER_OPTIONS, includeDirs: protosDirs() });
  cached = def["google.cloud.secretmanager.v1.SecretManagerService"] as grpc.ServiceDefinition;
  return cached;
}
