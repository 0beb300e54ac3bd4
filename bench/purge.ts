/**
 * Retention purge at scale: expired executions deleted through the product's purge jobs
 * (`functions/src/compliance/purge-jobs.ts`: bounded batches of 200 deletes + tombstones, the
 * job's cursor and count committed with each batch, steps of 5,000 chained as Pub/Sub would)
 * against the local Firestore server. Prints documents/s and peak RSS / heap at 10k and 100k,
 * and the flat-memory ratio (peak at 100k / peak at 10k; goal <= 1.10).
 *
 *   npm run bench:purge [-- --small 10000 --large 100000]   (node --expose-gc --import tsx bench/purge.ts)
 *
 * Uses FIRESTORE_EMULATOR_HOST when set, else starts a local Firestore server in a child process
 * (its memory is not this process's). Seeding runs in child processes too, so the figures are the
 * purge's alone. Each size gets a database of its own.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { getApps, initializeApp } from "firebase-admin/app";
import { getFirestore, Timestamp } from "firebase-admin/firestore";

const ROOT = path.resolve(__dirname, "..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 29, 12);

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

function db(databaseId: string) {
  const app = getApps()[0] ?? initializeApp({ projectId: process.env.GCLOUD_PROJECT ?? "demo-rag-prompt-library" });
  const firestore = getFirestore(app, databaseId);
  return firestore;
}

/** Child mode: writes `count` expired executions and 1% as many fresh ones (kept) into `databaseId`. */
async function seed(databaseId: string, count: number): Promise<void> {
  const firestore = db(databaseId);
  const writer = firestore.bulkWriter();
  const fresh = Math.ceil(count / 100);
  for (let i = 0; i < count + fresh; i++) {
    const workspaceId = `w${i % 50}`;
    const createdAt = Timestamp.fromMillis(i >= count ? NOW - DAY : NOW - 120 * DAY + i);
    void writer.set(firestore.doc(`workspaces/${workspaceId}/executions/e${String(i).padStart(7, "0")}`), {
      workspaceId,
      promptId: "p1",
      version: 1,
      label: null,
      variablesJson: JSON.stringify({ question: `question number ${i} with some words in it` }),
      status: "completed",
      output: `An answer of a realistic length for execution ${i}. `.repeat(8),
      citations: [],
      retrieval: null,
      providerId: "local",
      model: "local-echo",
      finishReason: "stop",
      usage: { inputTokens: 40, outputTokens: 120 },
      latencyMs: 300,
      costUsd: 0.0001,
      error: null,
      createdBy: `u${i % 97}`,
      createdAt,
      completedAt: createdAt,
      updatedAt: createdAt,
    });
  }
  await writer.close();
}

function child(args: string[], env: NodeJS.ProcessEnv, waitFor?: RegExp, command = TSX): Promise<{ line: string; kill: () => void }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = waitFor ? out.match(waitFor) : null;
      if (match) resolve({ line: match[0], kill: () => proc.kill("SIGTERM") });
    });
    proc.on("exit", (code) => (code === 0 && !waitFor ? resolve({ line: out, kill: () => undefined }) : reject(new Error(`${args.join(" ")} exited ${code}`))));
  });
}

type Run = { documents: number; ms: number; perSecond: number; peakRss: number; peakHeap: number; retainedHeap: number; steps: number };

async function purge(databaseId: string): Promise<Run> {
  const { createPurgeJobs } = await import("../functions/src/compliance/purge-jobs");
  const { createWorkspaceDeletion } = await import("../functions/src/workspaces/workspace-deletion");
  const firestore = db(databaseId);
  const clock = { now: () => NOW };
  const queue: Array<{ jobId: string; step: number }> = [];
  const workspaces = createWorkspaceDeletion({ db: firestore, clock, access: { require: async () => undefined }, bucket: () => ({ getFiles: async () => [[]], deleteFiles: async () => undefined }) });
  const jobs = createPurgeJobs({ db: firestore, clock, publisher: { publish: async (m) => void queue.push(m) }, hasConsent: async () => false, workspaces, logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
  (globalThis as { gc?: () => void }).gc?.();
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 25);
  const started = performance.now();
  await jobs.schedule(NOW);
  let steps = 0;
  let retainedHeap = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let m = queue.find((q) => q.jobId.startsWith("executions@")); m; m = queue.find((q) => q.jobId.startsWith("executions@"))) {
    queue.splice(queue.indexOf(m), 1);
    await jobs.runStep(m);
    steps++;
    // What a step leaves behind (after a full GC): flat when nothing accumulates across steps.
    if (gc) {
      gc();
      retainedHeap = Math.max(retainedHeap, process.memoryUsage().heapUsed);
    }
  }
  const ms = performance.now() - started;
  clearInterval(sampler);
  const job = (await firestore.collection("purgeJobs").doc("executions@2026-11-29").get()).data() as { processed: number; status: string };
  if (job.status !== "done") throw new Error(`job not done: ${JSON.stringify(job)}`);
  return { documents: job.processed, ms, perSecond: job.processed / (ms / 1000), peakRss, peakHeap, retainedHeap, steps };
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

async function main(): Promise<void> {
  if (process.argv[2] === "--seed") return seed(process.argv[3]!, Number(process.argv[4]));
  const small = arg("small", 10_000);
  const large = arg("large", 100_000);
  let server: { kill: () => void } | undefined;
  if (!process.env.FIRESTORE_EMULATOR_HOST) {
    const started = await child(["tools/firestore-server/src/cli.ts", "--host", "127.0.0.1", "--port", "0"], process.env, /listening on (\S+)/);
    process.env.FIRESTORE_EMULATOR_HOST = started.line.split(" ").pop();
    server = started;
  }
  try {
    const stamp = Date.now().toString(36);
    // A first, smaller run warms the process (modules, gRPC channel, JIT) so the two measured runs compare the purge alone.
    const sizes = [Math.min(2000, small), small, large];
    const ids = sizes.map((n, i) => `purge-bench-${stamp}-${i}-${n}`);
    for (const [i, n] of sizes.entries()) {
      const t = performance.now();
      await child(["--expose-gc", "--import", "tsx", __filename, "--seed", ids[i]!, String(n)], process.env, undefined, process.execPath);
      console.log(`seeded ${n} expired + ${Math.ceil(n / 100)} fresh executions into ${ids[i]} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const runs: Run[] = [];
    for (const id of ids) runs.push(await purge(id));
    runs.shift();
    console.log("\nexpired executions purged (batches of 200 deletes + 200 tombstones + progress, steps of 5,000)");
    console.log("documents  steps  seconds  docs/s   peak RSS     peak heap    heap after step (GC)");
    for (const r of runs) console.log(`${String(r.documents).padStart(9)}  ${String(r.steps).padStart(5)}  ${(r.ms / 1000).toFixed(1).padStart(7)}  ${r.perSecond.toFixed(0).padStart(6)}   ${mib(r.peakRss).padStart(10)}   ${mib(r.peakHeap).padStart(10)}   ${r.retainedHeap ? mib(r.retainedHeap).padStart(10) : "(run with --expose-gc)"}`);
    const [a, b] = runs as [Run, Run];
    console.log(`\nflat memory: peak RSS ratio ${(b.peakRss / a.peakRss).toFixed(3)}, peak heap ratio ${(b.peakHeap / a.peakHeap).toFixed(3)}${a.retainedHeap ? `, heap after each step ratio ${(b.retainedHeap / a.retainedHeap).toFixed(3)}` : ""} at ${b.documents} vs ${a.documents} (goal <= 1.10)`);
    console.log(`throughput ratio ${(b.perSecond / a.perSecond).toFixed(2)} (docs/s at ${b.documents} / at ${a.documents})`);
  } finally {
    server?.kill();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
