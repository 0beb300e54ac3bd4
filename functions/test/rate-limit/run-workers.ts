import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";

const TSX = path.resolve(__dirname, "../../../node_modules/.bin/tsx");
const WORKER = path.resolve(__dirname, "accuracy-worker.ts");

export type WorkerReport = { admitted: number[]; refused: number[]; calls: number };

/**
 * Runs `count` separate worker processes against one identity. They start together once all
 * are ready: `attempts` requests each (burst) or for `durationMs` (sustained, attempts 0).
 */
export async function runWorkers(args: { count: number; url: string; token: string; id: string; limit: number; windowMs: number; attempts?: number; durationMs?: number }): Promise<{ reports: WorkerReport[]; startAt: number; endAt: number }> {
  const argv = [args.url, args.token, args.id, args.limit, args.windowMs, args.attempts ?? 0].map(String);
  const children: ChildProcessWithoutNullStreams[] = [];
  const outputs = Array.from({ length: args.count }, () => {
    const child = spawn(TSX, [WORKER, ...argv], { stdio: "pipe" });
    children.push(child);
    let out = "";
    let err = "";
    let announceReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (announceReady = resolve));
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.startsWith("ready\n")) announceReady();
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const done = new Promise<WorkerReport>((resolve, reject) =>
      child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out.slice("ready\n".length)) as WorkerReport) : reject(new Error(`worker exited ${code}: ${err}`)))),
    );
    return { ready, done };
  });
  await Promise.all(outputs.map((o) => o.ready));
  const startAt = Date.now();
  const endAt = startAt + (args.durationMs ?? 0);
  for (const child of children) child.stdin.end(`go ${endAt}\n`);
  return { reports: await Promise.all(outputs.map((o) => o.done)), startAt, endAt };
}
