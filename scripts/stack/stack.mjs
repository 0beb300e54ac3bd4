// Brings up the local backend: Redis, the Upstash-compatible REST endpoint, Firestore (official
// emulator when Java 21+ is there, else our gRPC-compatible server) and the Firebase emulators.
import fs from "node:fs";
import path from "node:path";
import { DEMO_USERS, HOST, LOCAL_UPSTASH_TOKEN, PROJECT_ID, ROOT, STATE_DIR, ports } from "./config.mjs";
import { assertPortFree, isPortOpen, startProcess, waitFor } from "./processes.mjs";
import { ensureRedisServer, javaMajorVersion, run } from "./setup.mjs";

const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
const firebaseCli = path.join(ROOT, "node_modules", ".bin", "firebase");

/** Chooses where Firestore comes from. RAG_FIRESTORE=official|local overrides the detection. */
export function chooseFirestore() {
  const forced = process.env.RAG_FIRESTORE;
  if (forced === "official" || forced === "local") return forced;
  return javaMajorVersion() >= 21 ? "official" : "local";
}

export async function startStack({ withDemoData }) {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  const log = (name) => path.join(STATE_DIR, `${name}.log`);
  const firestoreSource = chooseFirestore();
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
    const fsServer = startProcess("firestore", tsx, [path.join(ROOT, "tools/firestore-server/src/cli.ts"), "--host", HOST, "--port", String(ports.firestore)], { logFile: log("firestore") });
    await waitFor("the Firestore server to listen", () => isPortOpen(ports.firestore), { entry: fsServer, logFile: log("firestore") });
    services.push(["Firestore", `${firestoreHost} (gRPC-compatible local server; Java 21 absent)`]);
  }

  writeFunctionsEnv({ upstashUrl, firestoreHost });
  run("npm", ["run", "--silent", "build", "--workspace", "functions"], { stdio: ["ignore", "inherit", "inherit"] });

  const only = ["auth", "functions", "tasks", ...(firestoreSource === "official" ? ["firestore", "pubsub", "storage"] : [])];
  for (const name of only) await assertPortFree(ports[name], `${name} emulator`);
  await assertPortFree(ports.hub, "emulator hub");
  const emulatorEnv = {
    ...process.env,
    FIRESTORE_EMULATOR_HOST: firestoreHost,
    NO_UPDATE_NOTIFIER: "1",
    FIREBASE_CLI_EXPERIMENTS: process.env.FIREBASE_CLI_EXPERIMENTS ?? "",
  };
  const emulators = startProcess("emulators", firebaseCli, ["emulators:start", "--only", only.join(","), "--project", PROJECT_ID], { env: emulatorEnv, cwd: ROOT, logFile: log("emulators") });
  await waitFor("the Firebase emulators to be ready", () => logContains(log("emulators"), "All emulators ready"), { entry: emulators, logFile: log("emulators"), timeoutMs: 120_000 });
  if (firestoreSource === "official") services.push(["Firestore", `${firestoreHost} (official emulator)`]);
  services.push(["Auth emulator", `http://${HOST}:${ports.auth}`]);
  services.push(["Functions", `http://${HOST}:${ports.functions}/${PROJECT_ID}/us-central1/<function>`]);
  services.push(["Cloud Tasks emulator", `http://${HOST}:${ports.tasks}`]);

  const env = clientEnv({ upstashUrl, firestoreHost });
  if (withDemoData) run(tsx, [path.join(ROOT, "scripts/seed-demo.ts")], { env: { ...process.env, ...env } });
  return { services, env, firestoreSource, logs: STATE_DIR };
}

/** Environment for processes that talk to the local stack (tests, seed script, admin tools). */
export function clientEnv({ upstashUrl, firestoreHost }) {
  return {
    // Local processes are not on Google Cloud: skip the metadata-server probe and its warning.
    METADATA_SERVER_DETECTION: "none",
    GCLOUD_PROJECT: PROJECT_ID,
    GOOGLE_CLOUD_PROJECT: PROJECT_ID,
    FIRESTORE_EMULATOR_HOST: firestoreHost,
    FIREBASE_AUTH_EMULATOR_HOST: `${HOST}:${ports.auth}`,
    CLOUD_TASKS_EMULATOR_HOST: `${HOST}:${ports.tasks}`,
    FUNCTIONS_EMULATOR_ORIGIN: `http://${HOST}:${ports.functions}`,
    UPSTASH_REDIS_REST_URL: upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: upstashUrl ? LOCAL_UPSTASH_TOKEN : "",
    REDIS_URL: upstashUrl ? `redis://${HOST}:${ports.redis}` : "",
  };
}

/** The Functions emulator reads params from .env.local and secrets from .secret.local. */
function writeFunctionsEnv({ upstashUrl, firestoreHost }) {
  const dir = path.join(ROOT, "functions");
  const header = "# Written by `npm start` / `npm test` for the local stack. Not used in deploys.\n";
  fs.writeFileSync(path.join(dir, ".env.local"), `${header}FUNCTIONS_REGION=us-central1\nUPSTASH_REDIS_REST_URL=${upstashUrl}\nFIRESTORE_EMULATOR_HOST=${firestoreHost}\n`);
  fs.writeFileSync(path.join(dir, ".secret.local"), `${header}UPSTASH_REDIS_REST_TOKEN=${upstashUrl ? LOCAL_UPSTASH_TOKEN : ""}\nOPENAI_API_KEY=\n`);
}

function logContains(file, text) {
  return Promise.resolve(fs.existsSync(file) && fs.readFileSync(file, "utf8").includes(text));
}

export function printServices({ services, firestoreSource, logs }, { demo }) {
  const width = Math.max(...services.map(([name]) => name.length));
  console.log("\nRAG Prompt Library: local backend is up\n");
  for (const [name, where] of services) console.log(`  ${name.padEnd(width)}  ${where}`);
  if (demo) {
    console.log("\nDemo accounts (Auth emulator):");
    for (const user of DEMO_USERS) console.log(`  ${user.email} / ${user.password}${user.admin ? "  (admin)" : ""}`);
  }
  console.log(`\nFirestore: ${firestoreSource === "official" ? "official emulator" : "local gRPC server (tools/firestore-server)"}. Logs: ${logs}`);
}
