/**
 * Per-instance capacity: `npm run load -- --scenario baseline|stress|spike|endurance [--full]
 * [--compare .local/load/<earlier>.json] [--threshold 0.15] [--memory 256] [--concurrency 80]`.
 *
 * Builds the functions if needed, starts its own stack on free ports, seeds users, serves each
 * function in its own functions-framework process, drives it from 127.0.0.1 with autocannon,
 * prints the capacity table beside the two same-run baselines, writes
 * `.local/load/<scenario>-<timestamp>.json` (+ `.md`) and stops everything it started.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LOAD_DIR, logFile, processes, startLoadStack } from "./local-stack";
import { drain, measure, type Row } from "./measure";
import { compareReports, fillRatios, formatTable, rssTrend, type Report, type RssSample } from "./report";
import { SCENARIOS } from "./scenarios";
import { seed, signIn } from "./seed";
import { ensureBuilt, serveFunction, type ServedFunction } from "./serve";
import { targetsNamed, TARGETS } from "./targets";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const TOKEN_REFRESH_MS = 45 * 60_000;
const WARMUP = { connections: 10, seconds: 2 };

function uptime(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8" }).trim();
  } catch {
    return `load average ${os.loadavg().map((n) => n.toFixed(2)).join(", ")}`;
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** Runs `work` with the product's structured (JSON) log lines sent to `file` instead of the console. */
async function logsTo<T>(file: string, work: () => Promise<T>): Promise<T> {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    const original = originals[i];
    stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      if (String(chunk).startsWith('{"')) {
        fs.appendFileSync(file, chunk);
        return true;
      }
      return original ? (original as (c: string | Uint8Array, ...r: never[]) => boolean)(chunk, ...rest) : true;
    }) as typeof stream.write;
  });
  try {
    return await work();
  } finally {
    streams.forEach((stream, i) => {
      const original = originals[i];
      if (original) stream.write = original;
    });
  }
}

async function main(): Promise<void> {
  const name = option("scenario") ?? "baseline";
  const full = process.argv.includes("--full");
  const definition = SCENARIOS[name];
  if (!definition) throw new Error(`Unknown scenario "${name}": one of ${Object.keys(SCENARIOS).join(", ")}.`);
  const scenario = full ? definition.full : definition.scaled;
  const memoryMiB = Number(option("memory") ?? 256);
  const concurrency = Number(option("concurrency") ?? 80);
  const threshold = Number(option("threshold") ?? 0.15);
  const compareWith = option("compare");

  // Whatever happens, the run ends: the planned time plus start-up and seeding, then a hard stop.
  const plannedSeconds =
    scenario.phases.reduce((s, p) => s + p.seconds, 0) * (scenario.targets?.length ?? TARGETS.length) + (scenario.endurance?.seconds ?? 0);
  const deadline = setTimeout(() => {
    console.error("The load run passed its time limit; stopping everything it started.");
    void processes.stopAll().then(() => process.exit(2));
  }, (plannedSeconds + 300 + scenario.users) * 1_000);
  deadline.unref();

  const startedAt = new Date();
  console.log(`Scenario ${name}${full ? " (full size)" : " (scaled for a 2-core machine; --full for the real sizes)"}: ${scenario.users} users`);
  console.log(`Machine: ${os.cpus().length} cores, ${uptime()}`);
  ensureBuilt();
  const stack = await startLoadStack();
  Object.assign(process.env, stack.env);

  console.log("Seeding users, workspaces, prompts, documents and API keys...");
  const seeded = await logsTo(logFile("seed"), () => seed(stack.authUrl, scenario.users));
  let signedInAt = Date.now();
  const functionEnv = { ...stack.env, LOAD_BASELINE_DOC: seeded.baselineDoc };

  const targets = scenario.endurance ? targetsNamed([scenario.endurance.target]).filter((t) => !t.baseline) : targetsNamed(scenario.targets);
  const served = new Map<string, ServedFunction>();
  for (const target of targets) {
    if (served.has(target.fn)) continue;
    const fn = await serveFunction({ target: target.fn, source: target.source, env: functionEnv, memoryMiB, concurrency });
    served.set(target.fn, fn);
    console.log(`  ${target.fn}: cold start ${fn.coldStartMs} ms, RSS ${fn.rssMiB()?.toFixed(0)} MiB`);
  }

  const refreshTokens = async (): Promise<void> => {
    if (Date.now() - signedInAt < TOKEN_REFRESH_MS) return;
    await signIn(stack.authUrl, seeded.users);
    signedInAt = Date.now();
  };

  const rows: Row[] = [];
  for (const target of targets) {
    const fn = served.get(target.fn);
    if (!fn || scenario.endurance) continue;
    await measure(fn, target, seeded.users, WARMUP.connections, WARMUP.seconds);
    for (const phase of scenario.phases) {
      await refreshTokens();
      await drain(fn, target, seeded.users[0]!);
      const row = await measure(fn, target, seeded.users, phase.connections, phase.seconds);
      rows.push(row);
      console.log(`  ${target.name} @ ${phase.connections}: ${row.rps.toFixed(0)} req/s, p95 ${row.p95.toFixed(0)} ms, errors ${row.errors}, 429 ${row.limited}`);
    }
  }

  let endurance: Report["endurance"];
  if (scenario.endurance) {
    const spec = scenario.endurance;
    const target = targets[0];
    const fn = target && served.get(target.fn);
    if (!target || !fn) throw new Error(`No target named ${spec.target}`);
    const samples: RssSample[] = [];
    const began = Date.now();
    const sample = (): void => {
      const rss = fn.rssMiB();
      if (rss === null) return;
      samples.push({ seconds: Math.round((Date.now() - began) / 1000), rssMiB: Math.round(rss * 10) / 10 });
      console.log(`  t=${samples.at(-1)?.seconds}s RSS ${rss.toFixed(1)} MiB`);
    };
    sample();
    const timer = setInterval(sample, spec.sampleSeconds * 1_000);
    // Slices of at most 30 minutes, so ID tokens are refreshed between them on a long run.
    for (let left = spec.seconds; left > 0; left -= 1_800) {
      await refreshTokens();
      rows.push(await measure(fn, target, seeded.users, spec.connections, Math.min(left, 1_800)));
    }
    clearInterval(timer);
    sample();
    endurance = { target: target.name, samples, ...rssTrend(samples) };
  }

  fillRatios(rows);
  const report: Report = {
    scenario: name,
    full,
    startedAt: startedAt.toISOString(),
    machine: { cpus: os.cpus().length, loadAverage: os.loadavg(), uptime: uptime(), node: process.version },
    settings: { memoryMiB, concurrency, users: scenario.users },
    coldStartMs: Object.fromEntries([...served].map(([fn, s]) => [fn, s.coldStartMs])),
    signInMs: { p50: percentile(seeded.signInMs, 50), p95: percentile(seeded.signInMs, 95) },
    rows,
    ...(endurance ? { endurance } : {}),
  };

  const lines = [
    `# Load scenario ${name}${full ? " (full)" : " (scaled)"}, ${report.startedAt}`,
    "",
    `Machine: ${report.machine.cpus} cores, Node ${report.machine.node}; at the end: ${report.machine.uptime}`,
    `Each function: one functions-framework process, heap ${memoryMiB} MiB, at most ${concurrency} requests in flight; ${scenario.users} users.`,
    `Cold start (spawn to listening): ${Object.entries(report.coldStartMs).map(([fn, ms]) => `${fn} ${ms} ms`).join(", ")}`,
    `Sign-in through the Auth emulator: p50 ${report.signInMs.p50.toFixed(0)} ms, p95 ${report.signInMs.p95.toFixed(0)} ms`,
    "",
    formatTable(rows),
  ];
  if (endurance) {
    lines.push("", `RSS of ${endurance.target} over time (MiB): ${endurance.samples.map((s) => `${s.seconds}s=${s.rssMiB}`).join(" ")}`);
    lines.push(`Trend after warm-up: ${endurance.slopeMiBPerMinute.toFixed(2)} MiB/min (${endurance.growthMiB.toFixed(1)} MiB over the run): ${endurance.flat ? "flat" : "GROWING"}`);
  }
  if (compareWith) {
    const before = JSON.parse(fs.readFileSync(compareWith, "utf8")) as Report;
    const regressions = compareReports(before, report, threshold);
    lines.push("", `Compared with ${compareWith} (threshold ${(threshold * 100).toFixed(0)}%):`);
    if (!regressions.some((r) => r.kind === "regression")) lines.push("no regression.");
    for (const r of regressions) {
      const label = r.kind === "regression" ? "REGRESSION" : "machine (baseline moved; ratios absorb it)";
      lines.push(`${label} ${r.target} @ ${r.connections}: ${r.what} ${r.before.toFixed(2)} -> ${r.after.toFixed(2)} (${(r.change * 100).toFixed(0)}%)`);
    }
    if (regressions.some((r) => r.kind === "regression")) process.exitCode = 1;
  }
  const summary = lines.join("\n");
  console.log(`\n${summary}\n`);
  fs.mkdirSync(LOAD_DIR, { recursive: true });
  const file = path.join(LOAD_DIR, `${name}-${startedAt.toISOString().replace(/[:.]/g, "-")}`);
  fs.writeFileSync(`${file}.json`, JSON.stringify(report, null, 2));
  fs.writeFileSync(`${file}.md`, summary + "\n");
  console.log(`Report: ${path.relative(process.cwd(), file)}.json (summary: .md)`);
}

const stop = (code: number) => (): void => void processes.stopAll().then(() => process.exit(code));
process.on("SIGINT", stop(130));
process.on("SIGTERM", stop(143));
// A stray rejection inside a client library (e.g. missing credentials while seeding) would end the
// process before main's own handler: stop every backing process first, so none is left running.
process.on("unhandledRejection", (error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  stop(1)();
});

main().then(
  async () => {
    await processes.stopAll();
    process.exit(process.exitCode ?? 0);
  },
  async (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    await processes.stopAll();
    process.exit(1);
  },
);
