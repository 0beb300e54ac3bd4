/**
 * Starts a private server (own temp data dir, port 0) for cases only this server can answer, and
 * points STORAGE_EMULATOR_HOST of this test file at it while it runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Storage } from "@google-cloud/storage";
import { startStorageServer, type RunningServer, type ServerOptions } from "../src";

export type Harness = { server: RunningServer; storage: Storage; stop(): Promise<void> };

export async function startHarness(options: Omit<ServerOptions, "dataDir" | "port"> & { dataDir?: string } = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "storage-server-test-"));
  const server = await startStorageServer({ host: "127.0.0.1", ...options, port: 0, dataDir });
  const previous = process.env["STORAGE_EMULATOR_HOST"];
  process.env["STORAGE_EMULATOR_HOST"] = server.url;
  const storage = new Storage({ projectId: "demo-test", retryOptions: { maxRetries: 0 } });
  return {
    server,
    storage,
    stop: async () => {
      await server.close();
      if (previous === undefined) delete process.env["STORAGE_EMULATOR_HOST"];
      else process.env["STORAGE_EMULATOR_HOST"] = previous;
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
