// Ports and fixed local credentials of the local stack, in one place. The Firebase emulator
// ports are read from firebase.json so the two can never disagree.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const STATE_DIR = path.join(ROOT, ".local");

const firebaseJson = JSON.parse(fs.readFileSync(path.join(ROOT, "firebase.json"), "utf8"));
const firebaserc = JSON.parse(fs.readFileSync(path.join(ROOT, ".firebaserc"), "utf8"));
const emulators = firebaseJson.emulators;

export const PROJECT_ID = firebaserc.projects.default;
/** What the Functions emulator puts in FIREBASE_CONFIG as `storageBucket`. */
export const DEFAULT_BUCKET = `${PROJECT_ID}.appspot.com`;

export const ports = {
  redis: Number(process.env.RAG_REDIS_PORT ?? 6390),
  upstashRest: Number(process.env.RAG_UPSTASH_REST_PORT ?? 8079),
  firestore: emulators.firestore.port,
  auth: emulators.auth.port,
  functions: emulators.functions.port,
  hub: emulators.hub.port,
  tasks: emulators.tasks.port,
  pubsub: emulators.pubsub.port,
  storage: emulators.storage.port,
  eventRelay: Number(process.env.RAG_EVENT_RELAY_PORT ?? 8095),
};

export const HOST = "127.0.0.1";

/** Not a secret: it guards a loopback-only endpoint in front of a throwaway local Redis. */
export const LOCAL_UPSTASH_TOKEN = "local-dev-token";

export const DEMO_USERS = [
  { uid: "demo-user", email: "demo@example.com", password: "demo-password", displayName: "Demo User", admin: false },
  { uid: "demo-admin", email: "admin@example.com", password: "admin-password", displayName: "Demo Admin", admin: true },
];
