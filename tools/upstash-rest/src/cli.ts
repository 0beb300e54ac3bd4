#!/usr/bin/env -S npx tsx
/**
 * Starts the Upstash-compatible REST endpoint.
 *
 *   npx tsx tools/upstash-rest/src/cli.ts --port 8079 --redis redis://127.0.0.1:6390 --token <t>
 *
 * Flags win over env vars: UPSTASH_REST_PORT, UPSTASH_REST_HOST, REDIS_URL, UPSTASH_REST_TOKEN.
 * Prints `upstash-rest listening on http://127.0.0.1:8079 -> redis://127.0.0.1:6390` when ready.
 */
import { redactRedisUrl } from "./redis-url";
import { startUpstashRestServer } from "./server";

function flag(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  if (i !== -1) return argv[i + 1];
  const inline = argv.find((a) => a.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write("usage: cli.ts [--host 127.0.0.1] [--port 8079] [--redis redis://127.0.0.1:6379] --token <token>\n");
    return;
  }
  const port = Number(flag("port") ?? process.env.UPSTASH_REST_PORT ?? 8079);
  const host = flag("host") ?? process.env.UPSTASH_REST_HOST ?? "127.0.0.1";
  const redisUrl = flag("redis") ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const token = flag("token") ?? process.env.UPSTASH_REST_TOKEN;
  if (!token) throw new Error("a token is required: --token <token> or UPSTASH_REST_TOKEN");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${port}`);

  const server = await startUpstashRestServer({ port, host, redisUrl, token });
  process.stdout.write(`upstash-rest listening on ${server.url} -> ${redactRedisUrl(redisUrl)}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`upstash-rest: ${signal}, shutting down\n`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(0), 3_000).unref();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`upstash-rest: ${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
});
