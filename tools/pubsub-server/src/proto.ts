/**
 * Loads the google.pubsub.v1 service definitions from the .proto files that
 * @google-cloud/pubsub ships, so the wire format is exactly the client's.
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

/** Pub/Sub's own protos, plus google/api and google/protobuf ones from the client's google-gax. */
function protosDirs(): string[] {
  const pubsubRoot = path.dirname(require.resolve("@google-cloud/pubsub/package.json"));
  // google-gax exports no package.json; its entry point is build/src/index.js.
  const gaxBuild = path.join(path.dirname(require.resolve("google-gax", { paths: [pubsubRoot] })), "..");
  return [path.join(pubsubRoot, "build", "protos"), path.join(gaxBuild, "protos")];
}

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
