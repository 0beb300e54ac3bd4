/**
 * gRPC handlers of google.pubsub.v1.SchemaService. No schemas are stored: listing answers an
 * empty list, the other RPCs answer UNIMPLEMENTED so a caller knows the feature is missing.
 */
import type * as grpc from "@grpc/grpc-js";
import { notFound, unimplemented } from "./errors";
import { parseName, parseProject } from "./names";
import { unary } from "./rpc";

export function schemaHandlers(service: grpc.ServiceDefinition): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const method of Object.keys(service)) {
    handlers[method] = unary(() => {
      throw unimplemented(`${method} is not implemented by this local Pub/Sub server`);
    });
  }
  handlers["ListSchemas"] = unary((req: { parent?: string }) => {
    parseProject(req.parent);
    return { schemas: [], next_page_token: "" };
  });
  handlers["ListSchemaRevisions"] = unary((req: { name?: string }) => {
    parseName(req.name, "schemas");
    throw notFound(`Schema does not exist (resource=${req.name})`);
  });
  handlers["GetSchema"] = unary((req: { name?: string }) => {
    parseName(req.name, "schemas");
    throw notFound(`Schema does not exist (resource=${req.name})`);
  });
  return handlers;
}
