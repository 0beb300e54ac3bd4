#!/usr/bin/env -S npx tsx
/**
 * CLI: `tsx src/cli.ts [--host 127.0.0.1] [--port 8086] [--pubsub HOST:PORT]`. Notifications go
 * to `--pubsub`, else PUBSUB_EMULATOR_HOST (without either they are not sent). Prints one line
 * `secret-manager-server listening on HOST:PORT` when ready; exits cleanly on SIGINT/SIGTERM.
 */
import { cliArg, serveFromCli } from "@rag/server-kit";
import { startSecretManagerServer } from "./server";

const host = cliArg("host", process.env["SECRET_MANAGER_SERVER_HOST"] ?? "127.0.0.1");
const port = Number(cliArg("port", process.env["SECRET_MANAGER_SERVER_PORT"] ?? "8086"));
const pubsubHost = cliArg("pubsub", process.env["PUBSUB_EMULATOR_HOST"] ?? "") || undefined;
serveFromCli(
  () =>
    startSecretManagerServer({
      host,
      port,
      ...(pubsubHost ? { pubsubHost } : {}),
      onError: (error) => console.error(`notification not published: ${error instanceof Error ? error.message : String(error)}`),
    }),
  (server) => `secret-manager-server listening on ${server.host}:${server.port}`,
);
