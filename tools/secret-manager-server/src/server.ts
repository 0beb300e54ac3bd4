/**
 * One port for gRPC and HTTP/1.1, like the Pub/Sub server: a plain `net` server peeks at the
 * first bytes of each connection: the HTTP/2 connection preface (which gRPC clients send with
 * prior knowledge) goes to grpc-js through its connection injector, anything else to a Node
 * `http` server. A timer publishes what time has made due (rotations, scheduled destructions).
 */
import * as grpc from "@grpc/grpc-js";
import * as net from "node:net";
import { Duplex } from "node:stream";
import { createHttpServer } from "./http-admin";
import { createNotifier, type NotifierOptions } from "./notifications";
import { secretManagerService } from "./proto";
import { secretManagerHandlers } from "./service";
import { SecretStore, type StoreOptions } from "./store";

export type ServerOptions = StoreOptions &
  NotifierOptions & {
    /** @default "127.0.0.1" */
    host?: string;
    /** 0 picks a free port. @default 0 */
    port?: number;
    /** How often due rotations and destructions are looked for; 0 only on `POST /rotations:run`. @default 1000 */
    tickMs?: number;
  };

export type RunningServer = {
  host: string;
  port: number;
  store: SecretStore;
  /** Publishes what is due now (or SECRET_ROTATE for `secret` whatever its schedule). */
  runDue(secret?: string): Promise<Array<{ eventType: string; secretId: string }>>;
  close(): Promise<void>;
};

const PREFACE = Buffer.from("PRI * HTTP/2.0");
/** Payloads are at most 64 KiB; anything bigger is refused with INVALID_ARGUMENT, not a transport error. */
const MAX_GRPC_MESSAGE = 4 * 1024 * 1024;

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

export async function startSecretManagerServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const store = new SecretStore(options);
  const notifier = createNotifier(options);
  const grpcServer = new grpc.Server({
    "grpc.max_receive_message_length": MAX_GRPC_MESSAGE,
    "grpc.max_send_message_length": MAX_GRPC_MESSAGE,
  });
  grpcServer.addService(secretManagerService(), secretManagerHandlers(store, notifier));
  const runDue = async (secret?: string) => {
    const due = store.tick(secret);
    for (const notification of due) await notifier.publish(notification, store.now());
    return due.map((n) => ({ eventType: n.eventType, secretId: n.secret.name! }));
  };
  const tickMs = options.tickMs ?? 1000;
  const timer = tickMs > 0 ? setInterval(() => void runDue().catch(() => undefined), tickMs) : undefined;
  timer?.unref();
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const httpServer = createHttpServer(store, runDue);
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
    store,
    runDue,
    close: async () => {
      if (timer) clearInterval(timer);
      await notifier.close();
      injector.destroy();
      grpcServer.forceShutdown();
      httpServer.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
