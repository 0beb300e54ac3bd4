/** Public entry point of @rag/secret-manager-server. */
export { startSecretManagerServer, type RunningServer, type ServerOptions } from "./server";
export { SecretStore } from "./store";
export { toProto3Json } from "./notifications";
