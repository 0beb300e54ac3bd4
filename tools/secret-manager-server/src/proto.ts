/**
 * Loads google.cloud.secretmanager.v1.SecretManagerService from the .proto files that
 * @google-cloud/secret-manager ships, so the wire format is exactly the client's.
 */
import type * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { clientProtoDirs, LOADER_OPTIONS } from "@rag/server-kit";


/** Secret Manager's own protos and google-gax's (`@rag/server-kit`). */
const protosDirs = (): string[] => clientProtoDirs(require.resolve("@google-cloud/secret-manager/package.json"));

let cached: grpc.ServiceDefinition | undefined;

export function secretManagerService(): grpc.ServiceDefinition {
  if (cached) return cached;
  const def = protoLoader.loadSync(["google/cloud/secretmanager/v1/service.proto"], { ...LOADER_OPTIONS, includeDirs: protosDirs() });
  cached = def["google.cloud.secretmanager.v1.SecretManagerService"] as grpc.ServiceDefinition;
  return cached;
}
