/**
 * Uses PUBSUB_EMULATOR_HOST when set; otherwise starts this package's server in-process on
 * a free port and exports its address (jest workers inherit the environment).
 */
import { startPubSubServer, type RunningServer } from "../src";

declare global {
  var __pubsubServer: RunningServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  process.env["METADATA_SERVER_DETECTION"] = "none";
  if (process.env["PUBSUB_EMULATOR_HOST"]) return;
  const server = await startPubSubServer({ host: "127.0.0.1", port: 0 });
  globalThis.__pubsubServer = server;
  process.env["PUBSUB_EMULATOR_HOST"] = `127.0.0.1:${server.port}`;
}
