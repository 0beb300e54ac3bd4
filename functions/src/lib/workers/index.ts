export { createWorker, PoisonEventError, EventInProgressError, DEAD_LETTERS, WORKER_RUNS, CLAIM_LEASE_MS, type WorkerEvent, type WorkerSpec, type WorkerDeps, type WorkerContext, type WorkerOutcome } from "./worker";
export { pubsubEvent, firestoreEvent, firestoreCreatedEvent, storageEvent, scheduledEvent } from "./adapters";
export { pubsubWorkerOptions, scheduleOptions, type WorkerFunctionOptions } from "./options";
