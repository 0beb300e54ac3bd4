/** Summary of latencies in nanoseconds. */
export type Summary = { n: number; meanNs: number; p50Ns: number; p99Ns: number };

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { n: sorted.length, meanNs: sorted.reduce((sum, x) => sum + x, 0) / (sorted.length || 1), p50Ns: at(0.5), p99Ns: at(0.99) };
}

export const us = (ns: number) => `${(ns / 1000).toFixed(2)} us`;
export const ms = (ns: number) => `${(ns / 1e6).toFixed(3)} ms`;

/** Times one awaited call, in nanoseconds. */
export async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start);
}
