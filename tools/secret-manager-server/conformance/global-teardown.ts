/** Stops the in-process servers if the global setup started them. */
export default async function globalTeardown(): Promise<void> {
  for (const server of (globalThis.__secretManagerServers ?? []).reverse()) await server.close();
}
