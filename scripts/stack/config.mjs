// Ports and fixed local credentials of the local stack, in one place. The Firebase emulator
// ports are read from firebase.json so the two can never disagree.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * RAG_PORT_OFFSET=20000 adds 20000 to every port (Redis, Upstash REST, every emulator, the hub,
 * the event relay), so a second stack can run beside one on the default ports. Its state, logs
 * and emulator config then live in .local/stack-<offset>/; without it nothing changes.
 */
export const PORT_OFFSET = portOffset(process.env.RAG_PORT_OFFSET);
export const STATE_DIR = PORT_OFFSET ? path.join(ROOT, ".local", `stack-${PORT_OFFSET}`) : path.join(ROOT, ".local");

function portOffset(text) {
  if (text === undefined || text === "" || text === "0") return 0;
  const offset = Number(text);
  if (!Number.isInteger(offset) || offset < 1 || offset > 50_000) throw new Error(`RAG_PORT_OFFSET must be an integer from 1 to 50000, not '${text}'.`);
  return offset;
}

const firebaseJson = JSON.parse(fs.readFileSync(path.join(ROOT, "firebase.json"), "utf8"));
const firebaserc = JSON.parse(fs.readFileSync(path.join(ROOT, ".firebaserc"), "utf8"));
const emulators = firebaseJson.emulators;

export const PROJECT_ID = firebaserc.projects.default;
/** What the Functions emulator puts in FIREBASE_CONFIG as `storageBucket`. */
export const DEFAULT_BUCKET = `${PROJECT_ID}.appspot.com`;

export const ports = {
  redis: Number(process.env.RAG_REDIS_PORT ?? 6390 + PORT_OFFSET),
  upstashRest: Number(process.env.RAG_UPSTASH_REST_PORT ?? 8079 + PORT_OFFSET),
  firestore: emulators.firestore.port + PORT_OFFSET,
  auth: emulators.auth.port + PORT_OFFSET,
  functions: emulators.functions.port + PORT_OFFSET,
  hub: emulators.hub.port + PORT_OFFSET,
  tasks: emulators.tasks.port + PORT_OFFSET,
  pubsub: emulators.pubsub.port + PORT_OFFSET,
  storage: emulators.storage.port + PORT_OFFSET,
  eventRelay: Number(process.env.RAG_EVENT_RELAY_PORT ?? 8095 + PORT_OFFSET),
  // No official Secret Manager emulator exists: always our server (tools/secret-manager-server).
  secretManager: Number(process.env.RAG_SECRET_MANAGER_PORT ?? 8086 + PORT_OFFSET),
};

/**
 * The firebase.json the emulators start with: the repository's own, or with an offset a copy
 * under STATE_DIR with every emulator port moved, paths pointing back at the repository, and the
 * functions' .env files read from STATE_DIR/functions-env (so the default stack's are untouched).
 * Returns the file to pass as `--config`, or null for the default.
 */
export function emulatorConfigFile() {
  if (!PORT_OFFSET) return null;
  const back = (file) => path.relative(STATE_DIR, path.join(ROOT, file));
  const moved = Object.fromEntries(Object.entries(emulators).map(([name, value]) => [name, typeof value === "object" && value.port ? { ...value, port: value.port + PORT_OFFSET } : value]));
  const config = {
    ...firebaseJson,
    functions: firebaseJson.functions.map((f) => ({ ...f, source: back(f.source), configDir: "functions-env" })),
    firestore: { ...firebaseJson.firestore, rules: back(firebaseJson.firestore.rules), indexes: back(firebaseJson.firestore.indexes) },
    storage: { ...firebaseJson.storage, rules: back(firebaseJson.storage.rules) },
    emulators: moved,
  };
  fs.mkdirSync(STATE_DIR, { recursive: true });
  const file = path.join(STATE_DIR, "firebase.json");
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Where the Functions emulator reads `.env.local` from (see emulatorConfigFile). */
export const FUNCTIONS_ENV_DIR = PORT_OFFSET ? path.join(STATE_DIR, "functions-env") : path.join(ROOT, "functions");

export const HOST = "127.0.0.1";

/** Not a secret: it guards a loopback-only endpoint in front of a throwaway local Redis. */
export const LOCAL_UPSTASH_TOKEN = "local-dev-token";

export const DEMO_USERS = [
  { uid: "demo-user", email: "demo@example.com", password: "demo-password", displayName: "Demo User", admin: false },
  { uid: "demo-admin", email: "admin@example.com", password: "admin-password", displayName: "Demo Admin", admin: true },
];
