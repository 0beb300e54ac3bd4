/** The Firestore server: gRPC (Firestore, Firestore Admin, long-running operations) and HTTP admin endpoints on one port, like the official emulator on 8080. */
import * as grpc from "@grpc/grpc-js";
import { listenOnePort } from "@rag/server-kit";
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
  const httpServer = createHttpServer(engine, changes);
  const listening = await listenOnePort({ host, port: options.port ?? 0, grpcServer, httpServer });

  return {
    host,
    port: listening.port,
    engine,
    changes,
    close: async () => {
      engine.close();
      await listening.close();
    },
  };
}
