/**
 * The local stack of one test file: the repository's Firestore, Storage and Pub/Sub servers
 * in-process on free ports, the fake Functions emulator running the fixtures' real
 * firebase-functions handlers, and relays started on demand against a temp state dir.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFirestoreServer } from "@rag/firestore-server";
import { startPubSubServer } from "@rag/pubsub-server";
import { startStorageServer } from "@rag/storage-server";
import { startEventRelay, type EventRelayOptions, type RunningEventRelay } from "../src";
import type { LogLine } from "../src/types";
import { startFakeEmulator, type FakeEmulator } from "./fake-emulator";

export const PROJECT = "demo-relay-test";
export const BUCKET = "relay-test-bucket";
export const FUNCTIONS_DIR = join(__dirname, "fixtures", "functions");

export type Invocation = { name: string; event: Record<string, unknown> & { id?: string } };
type Probe = (name: string, event: Invocation["event"]) => unknown;
declare global {
  var __relayProbe: Probe | undefined;
}

export type Stack = {
  firestoreHost: string;
  storageUrl: string;
  pubsubHost: string;
  emulator: FakeEmulator;
  stateDir: string;
  invocations: Invocation[];
  logs: LogLine[];
  /** Per function name: throw, or return a value, before the default recording. */
  behaviour: Map<string, (event: Invocation["event"]) => unknown>;
  startRelay(extra?: Partial<EventRelayOptions>): Promise<RunningEventRelay>;
  close(): Promise<void>;
};

export async function startStack(sources: { firestore?: boolean; storage?: boolean; pubsub?: boolean }): Promise<Stack> {
  const stateDir = await mkdtemp(join(tmpdir(), "event-relay-test-"));
  const firestore = await startFirestoreServer({ port: 0 });
  const storage = await startStorageServer({ port: 0, dataDir: join(stateDir, "storage") });
  const pubsub = await startPubSubServer({ port: 0 });
  const firestoreHost = `127.0.0.1:${firestore.port}`;
  // No GCE metadata lookups from google-auth in tests: every client talks to a local server.
  process.env.METADATA_SERVER_DETECTION = "none";
  process.env.GCLOUD_PROJECT = PROJECT;
  process.env.FIRESTORE_EMULATOR_HOST = firestoreHost;
  process.env.PUBSUB_EMULATOR_HOST = `127.0.0.1:${pubsub.port}`;
  process.env.FIREBASE_CONFIG = JSON.stringify({ projectId: PROJECT, storageBucket: BUCKET });
  const emulator = await startFakeEmulator(PROJECT, FUNCTIONS_DIR, { FIREBASE_CONFIG: process.env.FIREBASE_CONFIG });
  const invocations: Invocation[] = [];
  const logs: LogLine[] = [];
  const behaviour = new Map<string, (event: Invocation["event"]) => unknown>();
  globalThis.__relayProbe = (name, event) => {
    invocations.push({ name, event });
    return behaviour.get(name)?.(event);
  };
  const relays: RunningEventRelay[] = [];
  return {
    firestoreHost,
    storageUrl: storage.url,
    pubsubHost: `127.0.0.1:${pubsub.port}`,
    emulator,
    stateDir,
    invocations,
    logs,
    behaviour,
    async startRelay(extra = {}) {
      const relay = await startEventRelay({
        functions: emulator.url,
        project: PROJECT,
        ...(sources.firestore ? { firestore: firestoreHost } : {}),
        ...(sources.storage ? { storage: storage.url } : {}),
        ...(sources.pubsub ? { pubsub: `127.0.0.1:${pubsub.port}` } : {}),
        port: 0,
        stateDir: join(stateDir, "relay"),
        discoveryIntervalMs: 200,
        longPollMs: 5000,
        retry: { minBackoffMs: 50, maxBackoffMs: 200, maxAttempts: 3 },
        pubsubOptions: { minBackoffSeconds: 0.1, maxBackoffSeconds: 0.3, maxDeliveryAttempts: 5 },
        log: (line) => logs.push(line),
        ...extra,
      });
      relays.push(relay);
      await relay.ready;
      return relay;
    },
    async close() {
      await Promise.all(relays.map((r) => r.close()));
      globalThis.__relayProbe = undefined;
      await emulator.close();
      await Promise.all([firestore.close(), storage.close(), pubsub.close()]);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 25 ms until it returns a value other than undefined/false. */
export async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  return (await res.json()) as T;
}
