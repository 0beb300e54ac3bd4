#!/usr/bin/env -S npx tsx
/**
 * CLI: `tsx src/cli.ts [--host 127.0.0.1] [--port 8080] [--storage-url http://127.0.0.1:9199]`. Prints one line
 * `firestore-server listening on HOST:PORT` when ready; exits cleanly on SIGINT/SIGTERM.
 */
import { cliArg, serveFromCli } from "@rag/server-kit";
import { startFirestoreServer } from "./server";

const host = cliArg("host", process.env["FIRESTORE_SERVER_HOST"] ?? "127.0.0.1");
const port = Number(cliArg("port", process.env["FIRESTORE_SERVER_PORT"] ?? "8080"));
const storageUrl = cliArg("storage-url", process.env["STORAGE_EMULATOR_HOST"] ?? "") || undefined;
serveFromCli(
  () => startFirestoreServer({ host, port, ...(storageUrl ? { storageUrl } : {}) }),
  (server) => `firestore-server listening on ${server.host}:${server.port}`,
);
