// Brings up the local backend: Redis, the Upstash-compatible REST endpoint, Firestore (official
// emulator when Java 21+ is there, else our gRPC-compatible server) and the Firebase emulators.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_BUCKET, DEMO_USERS, FUNCTIONS_ENV_DIR, HOST, LOCAL_UPSTASH_TOKEN, PORT_OFFSET, PROJECT_ID, ROOT, STATE_DIR, emulatorConfigFile, ports } from "./config.mjs";
import { assertPortFree, isPortOpen, startProcess, waitFor } from "./processes.mjs";
import { ensureRedisServer, javaMajorVersion, run } from "./setup.mjs";

const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
const firebaseCli = path.join(ROOT, "node_modules", ".bin", "firebase");

/**
 * Chooses where a Google service comes from: the official emulator (needs Java 21+) or our local
 * server in tools/. RAG_FIRESTORE, RAG_PUBSUB, RAG_STORAGE = official|local override the detection.
 */
export function chooseSource(variable) {
  const forced = process.env[variable];
  if (forced === "official" || forced === "local") return forced;
  return javaMajorVersion() >= 21 ? "official" : "local";
}

/**
 * A throwaway service-account key for V4 signed URLs: the functions sign upload URLs with it and
 * the local Storage server trusts it. Made at each start under .local/, never committed.
 */
function localSigningKey() {
  const file = path.join(STATE_DIR, "local-signing-key.json");
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = { type: "service_account", project_id: PROJECT_ID, client_email: `local-signer@${PROJECT_ID}.iam.gserviceaccount.com`, private_key: privateKey.export({ type: "pkcs8", format: "pem" }) };
  fs.writeFileSync(file, JSON.stringify(key, null, 2), { mode: 0o600 });
  return file;
}

export async function startStack({ withDemoData }) {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  const log = (name) => path.join(STATE_DIR, `${name}.log`);
  const firestoreSource = chooseSource("RAG_FIRESTORE");
  const pubsubSource = chooseSource("RAG_PUBSUB");
  const storageSource = chooseSource("RAG_STORAGE");
  const services = [];

  const redisServer = ensureRedisServer();
  let upstashUrl = "";
  if (redisServer) {
    await assertPortFree(ports.redis, "Redis");
    const redis = startProcess("redis", redisServer, ["--port", String(ports.redis), "--bind", HOST, "--save", "", "--appendonly", "no", "--daemonize", "no"], { logFile: log("redis") });
    await waitFor("Redis to listen", () => isPortOpen(ports.redis), { entry: redis, logFile: log("redis") });
    services.push(["Redis", `redis://${HOST}:${ports.redis}`]);

    await assertPortFree(ports.upstashRest, "Upstash REST endpoint");
    upstashUrl = `http://${HOST}:${ports.upstashRest}`;
    const rest = startProcess("upstash-rest", tsx, [path.join(ROOT, "tools/upstash-rest/src/cli.ts"), "--host", HOST, "--port", String(ports.upstashRest), "--redis", `redis://${HOST}:${ports.redis}`, "--token", LOCAL_UPSTASH_TOKEN], { logFile: log("upstash-rest") });
    await waitFor("the Upstash REST endpoint to listen", () => isPortOpen(ports.upstashRest), { entry: rest, logFile: log("upstash-rest") });
    services.push(["Upstash REST", `${upstashUrl} (token: ${LOCAL_UPSTASH_TOKEN})`]);
  } else if (!withDemoData) {
    throw new Error("npm test needs redis-server: install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) and run again.");
  } else {
    console.warn("WARNING: redis-server is not installed and could not be installed; rate limits and cache run in memory only.");
  }

  const firestoreHost = `${HOST}:${ports.firestore}`;
  if (firestoreSource === "local") {
    await assertPortFree(ports.firestore, "Firestore");
    // Its admin ExportDocuments/ImportDocuments (backups) write to the local Storage server.
    const fsServer = startProcess("firestore", tsx, [path.join(ROOT, "tools/firestore-server/src/cli.ts"), "--host", HOST, "--port", String(ports.firestore), "--storage-url", `http://${HOST}:${ports.storage}`], { logFile: log("firestore") });
    await waitFor("the Firestore server to listen", () => isPortOpen(ports.firestore), { entry: fsServer, logFile: log("firestore") });
    services.push(["Firestore", `${firestoreHost} (gRPC-compatible local server; Java 21 absent)`]);
  }

  const pubsubHost = `${HOST}:${ports.pubsub}`;
  if (pubsubSource === "local") {
    await assertPortFree(ports.pubsub, "Pub/Sub");
    const server = startProcess("pubsub", tsx, [path.join(ROOT, "tools/pubsub-server/src/cli.ts"), "--host", HOST, "--port", String(ports.pubsub)], { logFile: log("pubsub") });
    await waitFor("the Pub/Sub server to listen", () => isPortOpen(ports.pubsub), { entry: server, logFile: log("pubsub") });
    services.push(["Pub/Sub", `${pubsubHost} (gRPC-compatible local server; Java 21 absent)`]);
  }

  // Secret Manager has no official emulator: RAG_SECRETS=local is the only source (notifications go to the Pub/Sub above).
  if ((process.env.RAG_SECRETS ?? "local") !== "local") throw new Error("RAG_SECRETS must be local: Google ships no Secret Manager emulator.");
  const secretManagerHost = `${HOST}:${ports.secretManager}`;
  await assertPortFree(ports.secretManager, "Secret Manager");
  const secretServer = startProcess("secret-manager", tsx, [path.join(ROOT, "tools/secret-manager-server/src/cli.ts"), "--host", HOST, "--port", String(ports.secretManager), "--pubsub", pubsubHost], { logFile: log("secret-manager") });
  await waitFor("the Secret Manager server to listen", () => isPortOpen(ports.secretManager), { entry: secretServer, logFile: log("secret-manager") });
  services.push(["Secret Manager", `${secretManagerHost} (gRPC-compatible local server; POST /rotations:run fires due rotations)`]);

  const storageUrl = `http://${HOST}:${ports.storage}`;
  const signingKeyFile = localSigningKey();
  if (storageSource === "local") {
    await assertPortFree(ports.storage, "Cloud Storage");
    const dataDir = path.join(STATE_DIR, "storage");
    // Like the in-memory Firestore server, each start begins empty.
    fs.rmSync(dataDir, { recursive: true, force: true });
    const server = startProcess("storage", tsx, [path.join(ROOT, "tools/storage-server/src/cli.ts"), "--host", HOST, "--port", String(ports.storage), "--data-dir", dataDir, "--signing-key", signingKeyFile], { env: { ...process.env, PUBSUB_EMULATOR_HOST: pubsubHost, GCLOUD_PROJECT: PROJECT_ID }, logFile: log("storage") });
    await waitFor("the Storage server to listen", () => isPortOpen(ports.storage), { entry: server, logFile: log("storage") });
    // The project's default bucket, which a real project has from the start.
    const created = await fetch(`${storageUrl}/storage/v1/b?project=${PROJECT_ID}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: DEFAULT_BUCKET }) });
    if (!created.ok) throw new Error(`Could not create the default bucket: ${created.status} ${await created.text()}`);
    // Backups: the primary bucket and one per secondary region (BACKUP_* params' defaults).
    for (const name of [`${PROJECT_ID}-backups`, `${PROJECT_ID}-backups-us-east1`, `${PROJECT_ID}-backups-europe-west1`]) {
      const bucket = await fetch(`${storageUrl}/storage/v1/b?project=${PROJECT_ID}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
      if (!bucket.ok) throw new Error(`Could not create the backup bucket ${name}: ${bucket.status} ${await bucket.text()}`);
    }
    services.push(["Cloud Storage", `${storageUrl} (JSON API local server; Java 21 absent)`]);
  }

  writeFunctionsEnv({ upstashUrl, firestoreHost, pubsubHost, storageUrl, signingKeyFile, secretManagerHost });
  run("npm", ["run", "--silent", "build", "--workspace", "functions"], { stdio: ["ignore", "inherit", "inherit"] });

  const only = ["auth", "functions", "tasks", ...(firestoreSource === "official" ? ["firestore"] : []), ...(pubsubSource === "official" ? ["pubsub"] : []), ...(storageSource === "official" ? ["storage"] : [])];
  for (const name of only) await assertPortFree(ports[name], `${name} emulator`);
  await assertPortFree(ports.hub, "emulator hub");
  const emulatorEnv = {
    ...process.env,
    FIRESTORE_EMULATOR_HOST: firestoreHost,
    PUBSUB_EMULATOR_HOST: pubsubHost,
    STORAGE_EMULATOR_HOST: storageUrl,
    NO_UPDATE_NOTIFIER: "1",
    FIREBASE_CLI_EXPERIMENTS: process.env.FIREBASE_CLI_EXPERIMENTS ?? "",
  };
  const configFile = emulatorConfigFile();
  const emulators = startProcess("emulators", firebaseCli, ["emulators:start", "--only", only.join(","), "--project", PROJECT_ID, ...(configFile ? ["--config", configFile] : [])], { env: emulatorEnv, cwd: ROOT, logFile: log("emulators") });
  await waitFor("the Firebase emulators to be ready", () => logContains(log("emulators"), "All emulators ready"), { entry: emulators, logFile: log("emulators"), timeoutMs: 120_000 });
  if (firestoreSource === "official") services.push(["Firestore", `${firestoreHost} (official emulator)`]);
  services.push(["Auth emulator", `http://${HOST}:${ports.auth}`]);
  services.push(["Functions", `http://${HOST}:${ports.functions}/${PROJECT_ID}/us-central1/<function>`]);
  services.push(["Cloud Tasks emulator", `http://${HOST}:${ports.tasks}`]);
  if (pubsubSource === "official") services.push(["Pub/Sub", `${pubsubHost} (official emulator)`]);
  if (storageSource === "official") services.push(["Cloud Storage", `${storageUrl} (official emulator)`]);

  // Eventarc and Cloud Scheduler stand-in: delivers our local servers' events to the functions in
  // production encodings (official emulators deliver their own) and runs every onSchedule function.
  await assertPortFree(ports.eventRelay, "event relay");
  const relayArgs = [
    path.join(ROOT, "tools/event-relay/src/cli.ts"),
    "--functions", `http://${HOST}:${ports.functions}`,
    "--project", PROJECT_ID,
    "--host", HOST,
    "--port", String(ports.eventRelay),
    "--state-dir", path.join(STATE_DIR, "event-relay"),
    // The emulator runs each concurrent call in a worker process of its own (~60 MB each, never
    // reclaimed while it runs): a few deliveries at a time keep memory bounded on a small machine.
    "--concurrency", "4",
    ...(firestoreSource === "local" ? ["--firestore", firestoreHost] : []),
    ...(pubsubSource === "local" ? ["--pubsub", pubsubHost] : []),
    ...(storageSource === "local" ? ["--storage", storageUrl] : []),
  ];
  fs.rmSync(path.join(STATE_DIR, "event-relay"), { recursive: true, force: true });
  const relay = startProcess("event-relay", tsx, relayArgs, { env: { ...process.env, PUBSUB_EMULATOR_HOST: pubsubHost }, logFile: log("event-relay") });
  await waitFor("the event relay to listen", () => isPortOpen(ports.eventRelay), { entry: relay, logFile: log("event-relay") });
  await waitFor("the event relay to find the functions' triggers", () => relayReady(ports.eventRelay), { entry: relay, logFile: log("event-relay"), timeoutMs: 60_000 });
  services.push(["Event relay", `http://${HOST}:${ports.eventRelay} (Eventarc + Cloud Scheduler stand-in: /triggers, /deliveries, /scheduler/jobs)`]);

  const env = {
    ...clientEnv({ upstashUrl, firestoreHost, pubsubHost, storageUrl }),
    LOCAL_SIGNING_KEY_FILE: signingKeyFile,
    SECRET_MANAGER_EMULATOR_HOST: secretManagerHost,
    // Scripts and tests read the runtime secrets as the emulated functions do: the local server, then this file.
    SECRETS_LOCAL_FILE: path.join(ROOT, "functions", ".secret.local"),
  };
  if (withDemoData) run(tsx, [path.join(ROOT, "scripts/seed-demo.ts")], { env: { ...process.env, ...env } });
  return { services, env, firestoreSource, pubsubSource, storageSource, logs: STATE_DIR };
}

/** Environment for processes that talk to the local stack (tests, seed script, admin tools). */
export function clientEnv({ upstashUrl, firestoreHost, pubsubHost, storageUrl }) {
  return {
    // Local processes are not on Google Cloud: skip the metadata-server probe and its warning.
    METADATA_SERVER_DETECTION: "none",
    GCLOUD_PROJECT: PROJECT_ID,
    GOOGLE_CLOUD_PROJECT: PROJECT_ID,
    FIRESTORE_EMULATOR_HOST: firestoreHost,
    PUBSUB_EMULATOR_HOST: pubsubHost,
    STORAGE_EMULATOR_HOST: storageUrl,
    EVENT_RELAY_URL: `http://${HOST}:${ports.eventRelay}`,
    FIREBASE_AUTH_EMULATOR_HOST: `${HOST}:${ports.auth}`,
    CLOUD_TASKS_EMULATOR_HOST: `${HOST}:${ports.tasks}`,
    FUNCTIONS_EMULATOR_ORIGIN: `http://${HOST}:${ports.functions}`,
    UPSTASH_REDIS_REST_URL: upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: upstashUrl ? LOCAL_UPSTASH_TOKEN : "",
    REDIS_URL: upstashUrl ? `redis://${HOST}:${ports.redis}` : "",
  };
}

/** The Functions emulator reads params from .env.local (in FUNCTIONS_ENV_DIR) and secrets from functions/.secret.local. */
function writeFunctionsEnv({ upstashUrl, firestoreHost, pubsubHost, storageUrl, signingKeyFile, secretManagerHost }) {
  const dir = path.join(ROOT, "functions");
  const header = "# Written by `npm start` / `npm test` for the local stack. Not used in deploys.\n";
  const env = {
    FUNCTIONS_REGION: "us-central1",
    UPSTASH_REDIS_REST_URL: upstashUrl,
    FIRESTORE_EMULATOR_HOST: firestoreHost,
    PUBSUB_EMULATOR_HOST: pubsubHost,
    STORAGE_EMULATOR_HOST: storageUrl,
    // Upload URLs are signed with this local key, which the local Storage server trusts.
    LOCAL_SIGNING_KEY_FILE: signingKeyFile,
    // Runtime secrets (docs/secrets.md): the local Secret Manager server, then .secret.local.
    SECRET_MANAGER_EMULATOR_HOST: secretManagerHost,
    SECRETS_LOCAL_FILE: path.join(dir, ".secret.local"),
    // Tests run the hourly backup seconds after their writes; production waits 60 s for late commits.
    BACKUP_INCREMENTAL_LAG_SECONDS: 1,
    // Tests date records in the past: an hourly retention purge firing mid-run would delete them (docs/compliance.md).
    RETENTION_PURGE_ENABLED: false,
  };
  fs.mkdirSync(FUNCTIONS_ENV_DIR, { recursive: true });
  fs.writeFileSync(path.join(FUNCTIONS_ENV_DIR, ".env.local"), header + Object.entries(env).map(([key, value]) => `${key}=${value}`).join("\n") + "\n");
  // The emulator reads secrets from the source directory only; their values hold no port, so a
  // second stack (RAG_PORT_OFFSET) leaves the file of a running default stack alone.
  const secrets = path.join(dir, ".secret.local");
  if (!PORT_OFFSET || !fs.existsSync(secrets)) fs.writeFileSync(secrets, `${header}UPSTASH_REDIS_REST_TOKEN=${upstashUrl ? LOCAL_UPSTASH_TOKEN : ""}\nOPENAI_API_KEY=\n# Throwaway key sealing webhook endpoint secrets locally; production sets its own in Secret Manager.\nWEBHOOK_SECRET_KEY=local-webhook-secret-key-not-for-production\n`);
  // Keys the backend rotates itself (docs/secrets.md): throwaway local values, added to a file written before they existed.
  const localKeys = { FIELD_ENCRYPTION_KEY: "local-field-encryption-key-not-for-production", INTERNAL_HMAC_KEY: "local-internal-hmac-key-not-for-production" };
  const present = fs.readFileSync(secrets, "utf8");
  const missing = Object.entries(localKeys).filter(([name]) => !new RegExp(`^${name}=`, "m").test(present));
  if (missing.length) fs.appendFileSync(secrets, missing.map(([name, value]) => `${name}=${value}\n`).join(""));
}

async function relayReady(port) {
  try {
    const res = await fetch(`http://${HOST}:${port}/triggers`);
    const body = await res.json();
    return Array.isArray(body.triggers ?? body) && (body.triggers ?? body).length > 0;
  } catch {
    return false;
  }
}

function logContains(file, text) {
  return Promise.resolve(fs.existsSync(file) && fs.readFileSync(file, "utf8").includes(text));
}

export function printServices({ services, logs }, { demo }) {
  const width = Math.max(...services.map(([name]) => name.length));
  console.log("\nRAG Prompt Library: local backend is up\n");
  for (const [name, where] of services) console.log(`  ${name.padEnd(width)}  ${where}`);
  if (demo) {
    console.log("\nDemo accounts (Auth emulator):");
    for (const user of DEMO_USERS) console.log(`  ${user.email} / ${user.password}${user.admin ? "  (admin)" : ""}`);
  }
  console.log(`\nLogs: ${logs} (event deliveries: ${path.join(logs, "event-relay.log")})`);
}
