#!/usr/bin/env -S npx tsx
/**
 * CLI: `tsx src/cli.ts [--host 127.0.0.1] [--port 8080] [--storage-url http://127.0.0.1:9199]`. Prints one line
 * `firestore-server listening on HOST:PORT` when ready; exits cleanly on SIGINT/SIGTERM.
 */
import { startFirestoreServer } from "./server";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1]!;
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : fallback;
}

async function main(): Promise<void> {
  const host = arg("host", process.env["FIRESTORE_SERVER_HOST"] ?? "127.0.0.1");
  const port = Number(arg("port", process.env["FIRESTORE_SERVER_PORT"] ?? "8080"));
  const storageUrl = arg("storage-url", process.env["STORAGE_EMULATOR_HOST"] ?? "") || undefined;
  const server = await startFirestoreServer({ host, port, ...(storageUrl ? { storageUrl } : {}) });
  console.log(`firestore-server listening on ${server.host}:${server.port}`);
  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
