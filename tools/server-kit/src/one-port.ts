/**
 * One port for gRPC and HTTP/1.1, like Google's emulators. A plain `net` server peeks at the
 * first bytes of each connection: the HTTP/2 connection preface (`PRI * HTTP/2.0`, which gRPC
 * clients send with prior knowledge) goes to grpc-js through its connection injector; anything
 * else to a Node `http` server (admin endpoints, reset, REST). No extra hop, so gRPC throughput
 * is native.
 */
import * as grpc from "@grpc/grpc-js";
import type * as http from "node:http";
import * as net from "node:net";
import { Duplex } from "node:stream";

const PREFACE = Buffer.from("PRI * HTTP/2.0");

export type OnePortServer = {
  port: number;
  /** Stops accepting, drops every open connection, shuts gRPC down. */
  close(): Promise<void>;
};

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
  // http servers look for these socket properties (remote address, timeouts).
  Object.assign(stream, { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, setTimeout: () => stream, setNoDelay: () => stream, setKeepAlive: () => stream });
  return stream;
}

/** Serves `grpcServer` (services already added) and `httpServer` on one port of `host` (0 picks a free one). */
export async function listenOnePort(options: { host: string; port: number; grpcServer: grpc.Server; httpServer: http.Server }): Promise<OnePortServer> {
  const { grpcServer, httpServer } = options;
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
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
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      injector.destroy();
      grpcServer.forceShutdown();
      httpServer.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
