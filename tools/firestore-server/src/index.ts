/** Public entry point of @rag/firestore-server. */
export { startFirestoreServer, type RunningServer, type ServerOptions } from "./server";
export { Engine } from "./engine";
