// Child processes of the local stack: started in their own process groups so one Ctrl-C (or a
// failed test run) stops every one of them, grandchildren included.
import { spawn } from "node:child_process";
import net from "node:net";
import fs from "node:fs";

const children = [];

export function startProcess(name, command, args, { env = process.env, cwd, logFile, echo = false } = {}) {
  const out = logFile ? fs.openSync(logFile, "w") : "ignore";
  const child = spawn(command, args, {
    cwd,
    env,
    detached: true,
    stdio: ["ignore", echo ? "pipe" : out, echo ? "pipe" : out],
  });
  if (echo) {
    child.stdout.on("data", (chunk) => process.stdout.write(prefixLines(name, chunk)));
    child.stderr.on("data", (chunk) => process.stderr.write(prefixLines(name, chunk)));
  }
  const entry = { name, child, exited: false };
  child.on("exit", (code, signal) => {
    entry.exited = true;
    entry.exitInfo = signal ? `signal ${signal}` : `code ${code}`;
  });
  children.push(entry);
  return entry;
}

function prefixLines(name, chunk) {
  return chunk
    .toString()
    .split(/\r?\n/)
    .filter((line) => line.length > 0)
    .map((line) => `[${name}] ${line}\n`)
    .join("");
}

export async function stopAll({ graceMs = 5000 } = {}) {
  const running = children.filter((entry) => !entry.exited).reverse();
  for (const entry of running) signalGroup(entry.child, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (running.some((entry) => !entry.exited) && Date.now() < deadline) await sleep(100);
  for (const entry of running) if (!entry.exited) signalGroup(entry.child, "SIGKILL");
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function isPortOpen(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Waits until `check` resolves true; fails naming the process and its log if it died first. */
export async function waitFor(description, check, { timeoutMs = 60_000, entry, logFile } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (entry?.exited) {
      throw new Error(`${entry.name} exited (${entry.exitInfo}) before ${description}.${logTail(logFile)}`);
    }
    await sleep(200);
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}.${logTail(logFile)}`);
}

function logTail(logFile) {
  if (!logFile || !fs.existsSync(logFile)) return "";
  const lines = fs.readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-25);
  return `\n--- last lines of ${logFile} ---\n${lines.join("\n")}`;
}

export async function assertPortFree(port, what) {
  if (await isPortOpen(port)) {
    throw new Error(`Port ${port} (${what}) is already in use. Stop whatever listens there, or set the port in scripts/stack/config.mjs.`);
  }
}
