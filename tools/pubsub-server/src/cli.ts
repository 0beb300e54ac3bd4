#!/usr/bin/env -S npx tsx
/**
 * CLI: `tsx src/cli.ts [--host 127.0.0.1] [--port 8085]`. Prints one line
 * `pubsub-server listening on HOST:PORT` when ready; exits cleanly on SIGINT/SIGTERM.
 */
import { cliArg, serveFromCli } from "@rag/server-kit";
import { startPubSubServer } from "./server";

const host = cliArg("host", process.env["PUBSUB_SERVER_HOST"] ?? "127.0.0.1");
const port = Number(cliArg("port", process.env["PUBSUB_SERVER_PORT"] ?? "8085"));
serveFromCli(
  () => startPubSubServer({ host, port }),
  (server) => `pubsub-server listening on ${server.host}:${server.port}`,
);
