#!/usr/bin/env node
// `npm run load -- --scenario <name> [...]`: installs the npm dependencies if they are missing or
// older than the lock file (as `npm start` does), then runs the load tool (bench/load/run.ts),
// which builds the functions and starts and stops everything else it needs.
import { spawn } from "node:child_process";
import path from "node:path";
import { ROOT } from "./stack/config.mjs";
import { ensureNodeDependencies } from "./stack/setup.mjs";

ensureNodeDependencies();
const child = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), [path.join(ROOT, "bench", "load", "run.ts"), ...process.argv.slice(2)], { stdio: "inherit" });
// The tool stops its own processes on SIGINT/SIGTERM; pass them on and wait for it.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
