/**
 * gRPC and HTTP/1.1 on one port (@rag/server-kit), like the other local servers. A timer
 * publishes what time has made due (rotations, scheduled destructions).
 */
import * as grpc from "@grpc/grpc-js";
import { listenOnePort } from "@rag/server-kit";
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

/** Payloads are at most 64 KiB; anything bigger is refused with INVALID_ARGUMENT, not a transport error. */
const MAX_GRPC_MESSAGE = 4 * 1024 * 1024;

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
  const httpServer = createHttpServer(store, runDue);
  const listening = await listenOnePort({ host, port: options.port ?? 0, grpcServer, httpServer });

  return {
    host,
    port: listening.port,
    store,
    runDue,
    close: async () => {
      if (timer) clearInterval(timer);
      await notifier.close();
      await listening.close();
    },
  };
}
