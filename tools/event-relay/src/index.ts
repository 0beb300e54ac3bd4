/** Public entry point of @rag/event-relay. */
export { startEventRelay, type EventRelayOptions, type RunningEventRelay } from "./relay";
export type { DeliveryRecord, Outcome } from "./deliverer";
export type { Trigger, LogLine, Logger } from "./types";
export { encodeDocumentEventData } from "./firestore-event";
