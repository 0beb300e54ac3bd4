/** Starts the HTTP server: one Node `http` server, state in a Store under `dataDir`. */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { resolve } from "node:path";
import { ChangeFeed } from "./changes";
import type { Ctx } from "./context";
import { UploadSessions } from "./resumable";
import { clearPendingRewrites } from "./rewrite";
import { handleRequest } from "./router";
import { parseTrustedKey, type TrustedKey } from "./signed-url";
import { Store } from "./store";
import { createNotifier, type NotificationPublisher } from "./notifications";

export type ServerOptions = {
  /** @default "127.0.0.1" */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** Where buckets, objects and upload sessions are kept. @default ".local/storage" */
  dataDir?: string;
  /**
   * Keys trusted for V4 signed URLs: service-account JSON text, PEM keys, or parsed keys.
   * @default []
   */
  signingKeys?: (string | TrustedKey)[];
  /** Capacity of the change feed ring. @default 10000 */
  changeFeedCapacity?: number;
  /** Clock, injectable for tests of expiry. @default Date.now */
  now?: () => number;
  /** Where bucket notifications are published; without one, notification configs are stored but nothing is sent. */
  publishNotification?: NotificationPublisher;
};

export type RunningServer = {
  host: string;
  port: number;
  /** `http://host:port`, the value for STORAGE_EMULATOR_HOST. */
  url: string;
  dataDir: string;
  close(): Promise<void>;
};

export async function startStorageServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const dataDir = resolve(options.dataDir ?? ".local/storage");
  const store = new Store(dataDir);
  const ctx: Ctx = {
    store,
    feed: new ChangeFeed(options.changeFeedCapacity),
    sessions: new UploadSessions(store.uploadsDir),
    signingKeys: (options.signingKeys ?? []).map((k) => (typeof k === "string" ? parseTrustedKey(k) : k)),
    baseUrl: "",
    now: options.now ?? Date.now,
  };
  if (options.publishNotification) ctx.feed.subscribe(createNotifier(store, options.publishNotification, ctx.now));
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => void handleRequest(ctx, req, res));
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", fail);
      done();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  ctx.baseUrl = `http://${urlHost}:${port}`;
  return {
    host,
    port,
    url: ctx.baseUrl,
    dataDir,
    close: async () => {
      ctx.feed.close();
      clearPendingRewrites();
      const closed = new Promise<void>((done) => server.close(() => done()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
