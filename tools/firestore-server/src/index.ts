/** Public entry point of @rag/firestore-server. */
export { startFirestoreServer, type RunningServer, type ServerOptions } from "./server";
export { Engine } from "./engine";
export type { ChangeJson, ChangesPage } from "./change-feed";
export type { JsonDocument, JsonValue } from "./proto-json";
