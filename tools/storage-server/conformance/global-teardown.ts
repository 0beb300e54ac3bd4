/** Stops the in-process server (and removes its temp data) if the global setup started one. */
import { rmSync } from "node:fs";

export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__storageServer;
  if (!server) return;
  await server.close();
  rmSync(server.dataDir, { recursive: true, force: true });
}
