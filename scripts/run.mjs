#!/usr/bin/env node
// The two commands of the README: `npm start` (bring the local backend up) and `npm test`
// (bring it up, run every test, take it down). Both install what they need first.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT, STATE_DIR } from "./stack/config.mjs";
import { stopAll } from "./stack/processes.mjs";
import { ensureNodeDependencies } from "./stack/setup.mjs";

const command = process.argv[2];
const passThrough = process.argv.slice(3);

async function main() {
  ensureNodeDependencies();
  const { startStack, printServices } = await import("./stack/stack.mjs");
  process.once("SIGINT", () => shutdown(130));
  process.once("SIGTERM", () => shutdown(143));

  if (command === "start") {
    const stack = await startStack({ withDemoData: true });
    printServices(stack, { demo: true });
    console.log("\nPress Ctrl-C to stop everything.");
    await new Promise(() => {});
  } else if (command === "test") {
    const started = Date.now();
    const checksPassed = runStaticChecks();
    const stack = await startStack({ withDemoData: false });
    console.log(`Local stack up in ${((Date.now() - started) / 1000).toFixed(1)} s (Firestore: ${stack.firestoreSource}, Pub/Sub: ${stack.pubsubSource}, Storage: ${stack.storageSource}).`);
    const jestCode = await runJest(stack.env);
    await stopAll();
    const code = jestCode !== 0 ? jestCode : checksPassed ? 0 : 1;
    if (!checksPassed) console.log("Static checks (tsc, eslint) failed: see above.");
    console.log(`Whole run took ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    printPlainSummary();
    process.exit(code);
  } else {
    console.error("usage: node scripts/run.mjs start|test [jest args]");
    process.exit(2);
  }
}

/** Type-checks every workspace and lints the tree; returns whether both passed. */
function runStaticChecks() {
  let passed = true;
  for (const [label, args] of [
    ["typecheck", ["run", "typecheck"]],
    ["lint", ["run", "lint"]],
  ]) {
    const result = spawnSync("npm", ["--silent", ...args], { cwd: ROOT, stdio: "inherit" });
    console.log(`${label}: ${result.status === 0 ? "passed" : "FAILED"}`);
    passed &&= result.status === 0;
  }
  return passed;
}

function runJest(env) {
  const results = path.join(STATE_DIR, "jest-results.json");
  fs.rmSync(results, { force: true });
  const jest = path.join(ROOT, "node_modules", ".bin", "jest");
  // Two workers even on two cores: jest would otherwise run in band, in its own process, where
  // one client left open by a test (a gRPC channel, a keep-alive socket) keeps it from exiting.
  const child = spawn(jest, ["--maxWorkers=2", "--json", `--outputFile=${results}`, ...passThrough], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: "inherit",
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
}

/** A plain `N passed, N failed` closing line, which CI reads whatever the runner. */
function printPlainSummary() {
  const file = path.join(STATE_DIR, "jest-results.json");
  if (!fs.existsSync(file)) return;
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  console.log(`\njest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
}

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping the local stack...");
  await stopAll();
  process.exit(code);
}

main().catch(async (error) => {
  console.error(error instanceof Error ? error.message : error);
  await stopAll();
  process.exit(1);
});
