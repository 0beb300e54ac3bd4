#!/usr/bin/env -S npx tsx
/**
 * CLI: `tsx src/cli.ts [--host 127.0.0.1] [--port 8086] [--pubsub HOST:PORT]` (notifications go to
 * `--pubsub`, else PUBSUB_EMULATOR_HOST; without either they are not sent). Prints one line
 * `secret-manager-server listening on HOST:PORT` when ready; exits cleanly on SIGINT/SIGTERM.
 */
import { startSecretManagerServer } from "./server";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1]!;
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : fallback;
}

async function main(): Promise<void> {
  const host = arg("host", process.env["SECRET_MANAGER_SERVER_HOST"] ?? "127.0.0.1");
  const port = Number(arg("port", process.env["SECRET_MANAGER_SERVER_PORT"] ?? "8086"));
  const pubsubHost = arg("pubsub", process.env["PUBSUB_EMULATOR_HOST"] ?? "") || undefined;
  const server = await startSecretManagerServer({
    host,
    port,
    ...(pubsubHost ? { pubsubHost } : {}),
    onError: (error) => console.error(`notification not published: ${error instanceof Error ? error.message : String(error)}`),
  });
  console.log(`secret-manager-server listening on ${server.host}:${server.port}`);
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
