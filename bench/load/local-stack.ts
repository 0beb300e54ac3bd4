/**
 * The backing services a load run needs, started on free ports of its own (never the ports of
 * `npm start`, so a load run can sit beside a running stack): Firestore (tools/firestore-server),
 * a real redis-server behind tools/upstash-rest, the Auth emulator (ID tokens) and Secret Manager
 * (tools/secret-manager-server).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
// @ts-expect-error plain ESM module shared with the stack scripts
import { isPortOpen, startProcess, stopAll, waitFor } from "../../scripts/stack/processes.mjs";
// @ts-expect-error plain ESM module shared with the stack scripts
import { ensureRedisServer } from "../../scripts/stack/setup.mjs";

export const ROOT = path.resolve(__dirname, "..", "..");
export const HOST = "127.0.0.1";
export const PROJECT_ID = "demo-rag-prompt-library";
export const LOAD_DIR = path.join(ROOT, ".local", "load");
const UPSTASH_TOKEN = "local-load-token";
const tsx = path.join(ROOT, "node_modules", ".bin", "tsx");
const firebaseCli = path.join(ROOT, "node_modules", ".bin", "firebase");

/** Ports of `npm start` and the emulators' defaults: a load run never binds these. */
const RESERVED = new Set([4400, 4500, 5001, 6379, 6390, 8079, 8080, 8085, 8095, 9099, 9199, 9299, 9499]);

type ProcessEntry = { name: string; child: { pid: number }; exited: boolean };
type StartProcess = (name: string, command: string, args: string[], options?: { env?: NodeJS.ProcessEnv; cwd?: string; logFile?: string }) => ProcessEntry;
type WaitFor = (description: string, check: () => Promise<boolean>, options?: { timeoutMs?: number; entry?: ProcessEntry; logFile?: string }) => Promise<void>;

export const processes = {
  start: startProcess as StartProcess,
  waitFor: waitFor as WaitFor,
  isPortOpen: isPortOpen as (port: number, host?: string) => Promise<boolean>,
  stopAll: stopAll as (options?: { graceMs?: number }) => Promise<void>,
};

/** A port the OS says is free, outside the reserved set. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(0, HOST, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    if (port > 0 && !RESERVED.has(port)) return port;
  }
}

export type LoadStack = {
  /** Environment for any process talking to this stack (functions, seeding). */
  env: Record<string, string>;
  authUrl: string;
};

export function logFile(name: string): string {
  fs.mkdirSync(LOAD_DIR, { recursive: true });
  return path.join(LOAD_DIR, `${name}.log`);
}

export async function startLoadStack(): Promise<LoadStack> {
  const [firestorePort, redisPort, upstashPort, authPort, hubPort, loggingPort, secretsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  const redisServer = (ensureRedisServer as () => string | null)();
  if (!redisServer) throw new Error("The load run needs redis-server (Debian/Ubuntu: apt-get install redis-server).");

  const redis = processes.start("load-redis", redisServer, ["--port", String(redisPort), "--bind", HOST, "--save", "", "--appendonly", "no"], { logFile: logFile("redis") });
  // Secret Manager as production reads it (the served functions run in production shape): the
  // local server, holding a throwaway value for each key the backend rotates.
  const secrets = processes.start("load-secret-manager", tsx, [path.join(ROOT, "tools/secret-manager-server/src/cli.ts"), "--host", HOST, "--port", String(secretsPort)], { logFile: logFile("secret-manager") });
  const firestore = processes.start("load-firestore", tsx, [path.join(ROOT, "tools/firestore-server/src/cli.ts"), "--host", HOST, "--port", String(firestorePort)], { logFile: logFile("firestore") });
  await processes.waitFor("Redis to listen", () => processes.isPortOpen(redisPort), { entry: redis, logFile: logFile("redis") });
  const upstash = processes.start(
    "load-upstash-rest",
    tsx,
    [path.join(ROOT, "tools/upstash-rest/src/cli.ts"), "--host", HOST, "--port", String(upstashPort), "--redis", `redis://${HOST}:${redisPort}`, "--token", UPSTASH_TOKEN],
    { logFile: logFile("upstash-rest") },
  );

  // The Auth emulator only: its own config file so the hub and logging ports stay off the defaults.
  const config = path.join(LOAD_DIR, "firebase.json");
  fs.writeFileSync(
    config,
    JSON.stringify({
      emulators: {
        singleProjectMode: true,
        hub: { host: HOST, port: hubPort },
        logging: { host: HOST, port: loggingPort },
        auth: { host: HOST, port: authPort },
        ui: { enabled: false },
      },
    }),
  );
  const auth = processes.start("load-auth", firebaseCli, ["emulators:start", "--only", "auth", "--project", PROJECT_ID, "--config", config], {
    cwd: LOAD_DIR,
    env: { ...process.env, NO_UPDATE_NOTIFIER: "1" },
    logFile: logFile("auth"),
  });

  await processes.waitFor("the Firestore server to listen", () => processes.isPortOpen(firestorePort), { entry: firestore, logFile: logFile("firestore") });
  await processes.waitFor("the Upstash REST endpoint to listen", () => processes.isPortOpen(upstashPort), { entry: upstash, logFile: logFile("upstash-rest") });
  await processes.waitFor("the Auth emulator to listen", () => processes.isPortOpen(authPort), { entry: auth, logFile: logFile("auth"), timeoutMs: 120_000 });
  await processes.waitFor("the Secret Manager server to listen", () => processes.isPortOpen(secretsPort), { entry: secrets, logFile: logFile("secret-manager") });
  await createRuntimeSecrets(`${HOST}:${secretsPort}`);

  const env = {
    METADATA_SERVER_DETECTION: "none",
    GCLOUD_PROJECT: PROJECT_ID,
    GOOGLE_CLOUD_PROJECT: PROJECT_ID,
    FIREBASE_CONFIG: JSON.stringify({ projectId: PROJECT_ID, storageBucket: `${PROJECT_ID}.appspot.com` }),
    FIRESTORE_EMULATOR_HOST: `${HOST}:${firestorePort}`,
    FIREBASE_AUTH_EMULATOR_HOST: `${HOST}:${authPort}`,
    UPSTASH_REDIS_REST_URL: `http://${HOST}:${upstashPort}`,
    UPSTASH_REDIS_REST_TOKEN: UPSTASH_TOKEN,
    REDIS_URL: `redis://${HOST}:${redisPort}`,
    FUNCTIONS_REGION: "us-central1",
    LLM_PROVIDER: "local",
    SECRET_MANAGER_EMULATOR_HOST: `${HOST}:${secretsPort}`,
  };
  return { env, authUrl: `http://${HOST}:${authPort}` };
}

/** The keys the backend rotates itself, created as operations create them in production (docs/secrets.md), with random values. */
async function createRuntimeSecrets(host: string): Promise<void> {
  const { SecretManagerServiceClient } = await import("@google-cloud/secret-manager");
  const { credentials } = await import("@grpc/grpc-js");
  const { MINTED_SECRETS } = await import("../../functions/src/secrets/secret-catalog");
  const [apiEndpoint, port] = host.split(":");
  const client = new SecretManagerServiceClient({ apiEndpoint, port: Number(port), sslCreds: credentials.createInsecure() });
  try {
    for (const { id } of Object.values(MINTED_SECRETS)) {
      const [secret] = await client.createSecret({ parent: `projects/${PROJECT_ID}`, secretId: id, secret: { replication: { automatic: {} } } });
      await client.addSecretVersion({ parent: secret.name ?? "", payload: { data: crypto.randomBytes(32).toString("base64") } });
    }
  } finally {
    await client.close();
  }
}
