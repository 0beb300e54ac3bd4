/**
 * Loads the google.firestore.v1 service definition from the .proto files that
 * @google-cloud/firestore ships, so the wire format is exactly the client's.
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

function protosDir(): string {
  return path.dirname(require.resolve("@google-cloud/firestore/build/protos/v1.json"));
}

let cached: grpc.ServiceDefinition | undefined;

export function firestoreService(): grpc.ServiceDefinition {
  if (cached) return cached;
  const def = protoLoader.loadSync("google/firestore/v1/firestore.proto", { ...LOADER_OPTIONS, includeDirs: [protosDir()] });
  cached = def["google.firestore.v1.Firestore"] as grpc.ServiceDefinition;
  return cached;
}

let admin: { firestoreAdmin: grpc.ServiceDefinition; operations: grpc.ServiceDefinition } | undefined;

/** google.firestore.admin.v1.FirestoreAdmin and google.longrunning.Operations, from the same protos. */
export function adminServices(): { firestoreAdmin: grpc.ServiceDefinition; operations: grpc.ServiceDefinition } {
  if (admin) return admin;
  const def = protoLoader.loadSync(["google/firestore/admin/v1/firestore_admin.proto", "google/longrunning/operations.proto"], { ...LOADER_OPTIONS, includeDirs: [protosDir()] });
  admin = {
    firestoreAdmin: def["google.firestore.admin.v1.FirestoreAdmin"] as grpc.ServiceDefinition,
    operations: def["google.longrunning.Operations"] as grpc.ServiceDefinition,
  };
  return admin;
}
