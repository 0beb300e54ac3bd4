/**
 * One port for gRPC and HTTP/1.1, like the official emulator. A plain `net` server peeks at the
 * first bytes of each connection: the HTTP/2 connection preface (which gRPC clients send with
 * prior knowledge) goes to grpc-js through its connection injector, anything else to a Node
 * `http` server.
 */
import * as grpc from "@grpc/grpc-js";
import * as net from "node:net";
import { Duplex } from "node:stream";
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

const PREFACE = Buffer.from("PRI * HTTP/2.0");
/** Messages are up to 10 MB; a publish or pull batch carrying one needs headroom. */
const MAX_GRPC_MESSAGE = 20 * 1024 * 1024;

/**
 * A duplex over `socket` that first replays the bytes read to sniff the protocol (http and
 * http2 read a net.Socket's handle directly, so bytes put back with `unshift` would be lost).
 */
function withHead(socket: net.Socket, head: Buffer): Duplex {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  stream.push(head);
  socket.on("data", (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on("end", () => stream.push(null));
  socket.on("close", () => stream.destroy());
  socket.on("error", (err) => stream.destroy(err));
  socket.setNoDelay(true);
  Object.assign(stream, {
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    setTimeout: () => stream,
    setNoDelay: () => stream,
    setKeepAlive: () => stream,
  });
  return stream;
}

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
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const httpServer = createHttpServer(broker);
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const n = Math.min(head.length, PREFACE.length);
      const isH2 = head.subarray(0, n).equals(PREFACE.subarray(0, n));
      if (isH2 && head.length < PREFACE.length) return;
      socket.off("data", onData);
      const stream = withHead(socket, head);
      if (isH2) injector.injectConnection(stream);
      else httpServer.emit("connection", stream);
    };
    socket.on("data", onData);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;

  return {
    host,
    port: address.port,
    broker,
    close: async () => {
      broker.close();
      injector.destroy();
      grpcServer.forceShutdown();
      httpServer.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
