/**
 * Uses SECRET_MANAGER_EMULATOR_HOST (and PUBSUB_EMULATOR_HOST for notifications) when set;
 * otherwise starts this package's server in-process on a free port, with an in-process Pub/Sub
 * server for its notifications, and exports their addresses (jest workers inherit them).
 */
import { startPubSubServer, type RunningServer as PubSubServer } from "@rag/pubsub-server";
import { startSecretManagerServer, type RunningServer } from "../src";

declare global {
  var __secretManagerServers: Array<RunningServer | PubSubServer> | undefined;
}

export default async function globalSetup(): Promise<void> {
  process.env["METADATA_SERVER_DETECTION"] = "none";
  if (process.env["SECRET_MANAGER_EMULATOR_HOST"]) return;
  const servers: Array<RunningServer | PubSubServer> = [];
  if (!process.env["PUBSUB_EMULATOR_HOST"]) {
    const pubsub = await startPubSubServer({ host: "127.0.0.1", port: 0 });
    servers.push(pubsub);
    process.env["PUBSUB_EMULATOR_HOST"] = `127.0.0.1:${pubsub.port}`;
  }
  const server = await startSecretManagerServer({ host: "127.0.0.1", port: 0, pubsubHost: process.env["PUBSUB_EMULATOR_HOST"] });
  servers.push(server);
  globalThis.__secretManagerServers = servers;
  process.env["SECRET_MANAGER_EMULATOR_HOST"] = `127.0.0.1:${server.port}`;
}
