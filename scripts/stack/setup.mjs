// What the two commands install before they run: npm dependencies and a Redis server.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./config.mjs";

export function ensureNodeDependencies() {
  const lock = path.join(ROOT, "package-lock.json");
  const installed = path.join(ROOT, "node_modules", ".package-lock.json");
  const upToDate = fs.existsSync(installed) && fs.existsSync(lock) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs;
  if (upToDate) return;
  console.log("Installing npm dependencies...");
  // `npm ci` when it accepts the lock file; a lock written against a registry mirror that lacks
  // other platforms' optional binaries is refused by `npm ci`, and `npm install` keeps its versions.
  try {
    run("npm", [fs.existsSync(lock) ? "ci" : "install", "--no-audit", "--no-fund"]);
  } catch {
    run("npm", ["install", "--no-audit", "--no-fund"]);
  }
}

export function which(command) {
  const result = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

/**
 * Returns the path of redis-server, installing it with apt when it is missing and we may
 * (root, or passwordless sudo). Returns null when it cannot be had: the caller decides whether
 * that is fatal (tests) or a degraded mode (local development with in-memory limits and cache).
 */
export function ensureRedisServer() {
  const existing = which("redis-server");
  if (existing) return existing;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const canSudo = !isRoot && which("sudo") && spawnSync("sudo", ["-n", "true"]).status === 0;
  if (!which("apt-get") || !(isRoot || canSudo)) return null;
  const apt = isRoot ? ["apt-get"] : ["sudo", "-n", "apt-get"];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  console.log("Installing redis-server with apt-get...");
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", "--no-install-recommends", "redis-server"]]) {
    if (spawnSync(apt[0], [...apt.slice(1), ...args], { stdio: "inherit", env }).status !== 0) return null;
  }
  // Debian's package may start a system service on 6379; ours runs on its own port beside it.
  return which("redis-server");
}

/** The major version of the `java` on PATH, or 0. The official Firestore emulator needs 21+. */
export function javaMajorVersion() {
  if (!which("java")) return 0;
  const result = spawnSync("java", ["-version"], { encoding: "utf8" });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!match) return 0;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

export function run(command, args, options = {}) {
  execFileSync(command, args, { cwd: ROOT, stdio: "inherit", ...options });
}
