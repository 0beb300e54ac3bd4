/**
 * One port for gRPC and HTTP/1.1, like the official emulator on 8080. A plain `net` server
 * peeks at the first bytes of each connection: the HTTP/2 connection preface (`PRI * HTTP/2.0`,
 * which gRPC clients send with prior knowledge) goes to grpc-js through its connection
 * injector; anything else to a Node `http` server. No extra hop, so gRPC throughput is native.
 */
import * as grpc from "@grpc/grpc-js";
import * as net from "node:net";
import { Duplex } from "node:stream";
import { ChangeFeed, DEFAULT_CHANGE_FEED_CAPACITY } from "./change-feed";
import { Engine } from "./engine";
import { createHttpServer } from "./http-admin";
import { createAdminHandlers, createOperationsHandlers } from "./admin-service";
import { AdminOperations } from "./export-import";
import { adminServices, firestoreService } from "./proto";
import { createHandlers } from "./service";

export interface ServerOptions {
  host?: string;
  port?: number;
  /** Document changes the change feed keeps per database. @default 10000 */
  changeFeedCapacity?: number;
  /**
   * Cloud Storage JSON API that ExportDocuments / ImportDocuments read and write
   * (`http://host:port`). @default STORAGE_EMULATOR_HOST, read when an export starts
   */
  storageUrl?: string;
}

export interface RunningServer {
  host: string;
  port: number;
  engine: Engine;
  changes: ChangeFeed;
  close(): Promise<void>;
}

const PREFACE = Buffer.from("PRI * HTTP/2.0");

/**
 * A duplex over `socket` that first replays the bytes already read to sniff the protocol.
 * (Both http and http2 read a net.Socket's native handle directly, bypassing bytes put back
 * with `unshift`, so the sniffed bytes must be replayed through a JS stream instead.)
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
  // http servers look for these socket properties (remote address, timeouts).
  Object.assign(stream, { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, setTimeout: () => stream, setNoDelay: () => stream, setKeepAlive: () => stream });
  return stream;
}

export async function startFirestoreServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const engine = new Engine();
  const changes = new ChangeFeed(options.changeFeedCapacity ?? DEFAULT_CHANGE_FEED_CAPACITY);
  engine.observeCommits(changes.record);
  const grpcServer = new grpc.Server({
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
    "grpc.max_send_message_length": 64 * 1024 * 1024,
  });
  grpcServer.addService(firestoreService(), createHandlers(engine));
  const adminOperations = new AdminOperations(engine, options.storageUrl);
  grpcServer.addService(adminServices().firestoreAdmin, createAdminHandlers(adminOperations));
  grpcServer.addService(adminServices().operations, createOperationsHandlers(adminOperations));
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const httpServer = createHttpServer(engine, changes);
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
      if (isH2 && head.length < PREFACE.length) return; // need more bytes to decide
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
    engine,
    changes,
    close: async () => {
      engine.close();
      injector.destroy();
      grpcServer.forceShutdown();
      httpServer.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
