#!/usr/bin/env -S npx tsx
/**
 * CLI: `tsx src/cli.ts [--host 127.0.0.1] [--port 9199] [--data-dir .local/storage]
 * [--signing-key path/to/service-account.json]...`. Prints one line
 * `storage-server listening on http://HOST:PORT` when ready; exits cleanly on SIGINT/SIGTERM.
 */
import { cliArg as arg, cliArgs as args, serveFromCli } from "@rag/server-kit";
import { loadTrustedKey } from "./signed-url";
import { topicOf, type NotificationPublisher } from "./notifications";
import { startStorageServer } from "./server";

async function pubsubPublisher(defaultProject: string): Promise<NotificationPublisher> {
  const { PubSub } = await import("@google-cloud/pubsub");
  const clients = new Map<string, InstanceType<typeof PubSub>>();
  return (topic, message) => {
    const { project = defaultProject, name } = topicOf(topic);
    let client = clients.get(project);
    if (!client) clients.set(project, (client = new PubSub({ projectId: project })));
    return client.topic(name).publishMessage(message);
  };
}

async function start() {
  const host = arg("host", process.env["STORAGE_SERVER_HOST"] ?? "127.0.0.1");
  const port = Number(arg("port", process.env["STORAGE_SERVER_PORT"] ?? "9199"));
  const dataDir = arg("data-dir", process.env["STORAGE_SERVER_DATA_DIR"] ?? ".local/storage");
  const keyFiles = [...args("signing-key"), ...(process.env["STORAGE_SERVER_SIGNING_KEY"] ? [process.env["STORAGE_SERVER_SIGNING_KEY"]] : [])];
  // Bucket notifications go to the local Pub/Sub (server or emulator) when there is one.
  const pubsubHost = process.env["PUBSUB_EMULATOR_HOST"];
  const publishNotification = pubsubHost ? await pubsubPublisher(process.env["GCLOUD_PROJECT"] ?? "demo-project") : undefined;
  return startStorageServer({ host, port, dataDir, signingKeys: keyFiles.map(loadTrustedKey), ...(publishNotification ? { publishNotification } : {}) });
}

serveFromCli(start, (server) => `storage-server listening on ${server.url}`);
