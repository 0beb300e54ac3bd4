/**
 * Loads the google.pubsub.v1 service definitions from the .proto files that
 * @google-cloud/pubsub ships, so the wire format is exactly the client's.
 */
import type * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { clientProtoDirs, LOADER_OPTIONS } from "@rag/server-kit";


/** Pub/Sub's own protos and google-gax's (`@rag/server-kit`). */
const protosDirs = (): string[] => clientProtoDirs(require.resolve("@google-cloud/pubsub/package.json"));

export type PubSubServices = {
  publisher: grpc.ServiceDefinition;
  subscriber: grpc.ServiceDefinition;
  schema: grpc.ServiceDefinition;
};

let cached: PubSubServices | undefined;

export function pubsubServices(): PubSubServices {
  if (cached) return cached;
  const def = protoLoader.loadSync(["google/pubsub/v1/pubsub.proto", "google/pubsub/v1/schema.proto"], {
    ...LOADER_OPTIONS,
    includeDirs: protosDirs(),
  });
  cached = {
    publisher: def["google.pubsub.v1.Publisher"] as grpc.ServiceDefinition,
    subscriber: def["google.pubsub.v1.Subscriber"] as grpc.ServiceDefinition,
    schema: def["google.pubsub.v1.SchemaService"] as grpc.ServiceDefinition,
  };
  return cached;
}
