/** Stops the in-process server if the global setup started one. */
export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__pubsubServer;
  if (server) await server.close();
}
