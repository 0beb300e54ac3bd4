/** Public entry point of @rag/pubsub-server. */
export { startPubSubServer, type RunningServer, type ServerOptions } from "./server";
export { Broker } from "./broker";
