/**
 * Serves ONE function per process on @google-cloud/functions-framework, as a deployed 2nd gen
 * function runs: the built code (functions/lib), `--signature-type=http`, the heap capped at the
 * function's memory and at most `concurrency` requests in flight (bench/load/concurrency-gate.cjs).
 *
 *   npx tsx bench/load/serve.ts --target listPrompts [--memory 256] [--concurrency 80]
 *
 * starts its own backing stack (Firestore, Redis + Upstash REST, Auth emulator) on free ports,
 * prints the URL and the environment, and serves until Ctrl-C.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { HOST, ROOT, freePort, logFile, processes, startLoadStack } from "./local-stack";

const FRAMEWORK = path.join(ROOT, "node_modules", "@google-cloud", "functions-framework", "build", "src", "main.js");
const GATE = path.join(__dirname, "concurrency-gate.cjs");

export type FunctionSource = "product" | "baseline";

export type ServeOptions = {
  target: string;
  source: FunctionSource;
  env: Record<string, string>;
  /** The function's memory, also its heap cap. @default 256 (2nd gen's default) */
  memoryMiB?: number;
  /** Requests one instance runs at once. @default 80 (2nd gen's default) */
  concurrency?: number;
};

export type ServedFunction = {
  target: string;
  url: string;
  pid: number;
  /** Spawn to listening, in ms. */
  coldStartMs: number;
  /** Where the function's stdout and stderr (its structured logs) go. */
  logFile: string;
  /** Resident memory of the function's process, in MiB (Linux /proc). */
  rssMiB(): number | null;
  /** CPU time the function's process has used so far, in ms (Linux /proc), or null. */
  cpuMs(): number | null;
};

/** Builds functions/lib when it is missing or older than the sources, so a fresh clone just works. */
export function ensureBuilt(): void {
  const built = path.join(ROOT, "functions", "lib", "index.js");
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestSource(path.join(ROOT, "functions", "src"))) return;
  console.log("Building functions (npm run build -w functions)...");
  try {
    execFileSync("npm", ["run", "--silent", "build", "-w", "functions"], { cwd: ROOT, stdio: "inherit" });
  } catch (error) {
    // tsc still emits on type errors; a tree mid-edit elsewhere should not stop a capacity run.
    if (!fs.existsSync(built)) throw error;
    console.warn("WARNING: the functions build reported errors (above); serving the JavaScript it emitted.");
  }
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

export async function serveFunction(options: ServeOptions): Promise<ServedFunction> {
  const memoryMiB = options.memoryMiB ?? 256;
  const port = await freePort();
  const product = options.source === "product";
  const nodeArgs = [
    `--max-old-space-size=${memoryMiB}`,
    "--require",
    GATE,
    // The baselines are TypeScript beside this file; tsx only changes how they are loaded.
    ...(product ? [] : ["--require", "tsx/cjs"]),
    FRAMEWORK,
    `--target=${options.target}`,
    "--signature-type=http",
    `--source=${product ? path.join(ROOT, "functions") : path.join(__dirname, "baseline-functions.ts")}`,
    `--port=${port}`,
  ];
  const env = {
    ...process.env,
    ...options.env,
    NODE_ENV: "production",
    K_SERVICE: options.target.toLowerCase(),
    K_REVISION: "load-1",
    FUNCTION_TARGET: options.target,
    FUNCTION_SIGNATURE_TYPE: "http",
    LOAD_CONCURRENCY: String(options.concurrency ?? 80),
  };
  const started = Date.now();
  const log = logFile(`function-${options.target}`);
  const entry = processes.start(`fn-${options.target}`, process.execPath, nodeArgs, { env, cwd: product ? path.join(ROOT, "functions") : ROOT, logFile: log });
  await processes.waitFor(`${options.target} to listen`, () => processes.isPortOpen(port), { entry, logFile: log, timeoutMs: 60_000 });
  const coldStartMs = Date.now() - started;
  const pid = entry.child.pid;
  return { target: options.target, url: `http://${HOST}:${port}`, pid, coldStartMs, logFile: log, rssMiB: () => rssOf(pid), cpuMs: () => cpuOf(pid) };
}

// utime + stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
function cpuOf(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

function rssOf(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const flag = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const target = flag("target");
  if (!target) throw new Error("usage: serve.ts --target <function> [--memory 256] [--concurrency 80] [--baseline]");
  ensureBuilt();
  const stack = await startLoadStack();
  const served = await serveFunction({
    target,
    source: process.argv.includes("--baseline") ? "baseline" : "product",
    env: stack.env,
    memoryMiB: Number(flag("memory") ?? 256),
    concurrency: Number(flag("concurrency") ?? 80),
  });
  console.log(`${target} listening on ${served.url} (pid ${served.pid}, cold start ${served.coldStartMs} ms)`);
  console.log(Object.entries(stack.env).map(([k, v]) => `${k}=${v}`).join("\n"));
  const stop = (): void => void processes.stopAll().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (require.main === module) {
  main().catch(async (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    await processes.stopAll();
    process.exit(1);
  });
}
