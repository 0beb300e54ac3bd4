/**
 * Uses STORAGE_EMULATOR_HOST when set; otherwise starts this package's server in-process on a
 * free port with a fresh temp data dir and exports its address (jest workers inherit the
 * environment).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStorageServer, type RunningServer } from "../src";

declare global {
  var __storageServer: RunningServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  process.env["METADATA_SERVER_DETECTION"] = "none";
  if (process.env["STORAGE_EMULATOR_HOST"]) return;
  const dataDir = mkdtempSync(join(tmpdir(), "storage-server-"));
  const server = await startStorageServer({ host: "127.0.0.1", port: 0, dataDir });
  globalThis.__storageServer = server;
  process.env["STORAGE_EMULATOR_HOST"] = server.url;
}
