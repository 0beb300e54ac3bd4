/** The Pub/Sub server: gRPC (Publisher, Subscriber, SchemaService) and HTTP admin endpoints on one port, like the official emulator. */
import * as grpc from "@grpc/grpc-js";
import { listenOnePort } from "@rag/server-kit";
import { Broker, type BrokerOptions } from "./broker";
import { createHttpServer } from "./http-admin";
import { pubsubServices } from "./proto";
import { publisherHandlers } from "./publisher-service";
import { schemaHandlers } from "./schema-service";
import { subscriberHandlers, type SubscriberOptions } from "./subscriber-service";

export type ServerOptions = BrokerOptions &
  SubscriberOptions & {
    /** @default "127.0.0.1" */
    host?: string;
    /** 0 picks a free port. @default 0 */
    port?: number;
  };

export type RunningServer = {
  host: string;
  port: number;
  broker: Broker;
  close(): Promise<void>;
};

/** Messages are up to 10 MB; a publish or pull batch carrying one needs headroom. */
const MAX_GRPC_MESSAGE = 20 * 1024 * 1024;

export async function startPubSubServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const broker = new Broker(options);
  const services = pubsubServices();
  const grpcServer = new grpc.Server({
    "grpc.max_receive_message_length": MAX_GRPC_MESSAGE,
    "grpc.max_send_message_length": MAX_GRPC_MESSAGE,
  });
  grpcServer.addService(services.publisher, publisherHandlers(broker));
  grpcServer.addService(services.subscriber, subscriberHandlers(broker, options));
  grpcServer.addService(services.schema, schemaHandlers(services.schema));
  const httpServer = createHttpServer(broker);
  const listening = await listenOnePort({ host, port: options.port ?? 0, grpcServer, httpServer });

  return {
    host,
    port: listening.port,
    broker,
    close: async () => {
      broker.close();
      await listening.close();
    },
  };
}
