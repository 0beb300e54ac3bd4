/** Public entry point of @rag/storage-server. */
export { startStorageServer, type RunningServer, type ServerOptions } from "./server";
export { objectDataPath } from "./store";
export type { Change, ChangesPage } from "./changes";
