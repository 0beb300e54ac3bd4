/** The capacity table, the endurance verdict, and the comparison with an earlier report. */
import type { Row } from "./measure";

export type RssSample = { seconds: number; rssMiB: number };

export type Report = {
  scenario: string;
  full: boolean;
  startedAt: string;
  machine: { cpus: number; loadAverage: number[]; uptime: string; node: string };
  settings: { memoryMiB: number; concurrency: number; users: number };
  coldStartMs: Record<string, number>;
  signInMs: { p50: number; p95: number };
  rows: Row[];
  endurance?: { target: string; samples: RssSample[]; slopeMiBPerMinute: number; growthMiB: number; flat: boolean };
};

const fixed = (n: number, digits = 0): string => n.toFixed(digits);

export function fillRatios(rows: Row[]): void {
  for (const row of rows) {
    const base = rows.find((r) => r.target === "baseline: one Firestore read" && r.connections === row.connections);
    if (base && base.rps > 0) row.ratio = row.rps / base.rps;
  }
}

export function formatTable(rows: Row[]): string {
  const header = ["target", "conns", "req/s", "x one-read", "CPU ms/req", "p50 ms", "p95 ms", "p99 ms", "errors", "timeouts", "429s", "RL hdrs", "min remaining", "Redis fallbacks", "slow queries", "peak RSS MiB"];
  const lines = rows.map((r) => [
    r.target,
    String(r.connections),
    fixed(r.rps),
    r.ratio === undefined ? "" : `${fixed(r.ratio, 2)}x`,
    r.cpuMsPerRequest === null || r.cpuMsPerRequest === undefined ? "" : fixed(r.cpuMsPerRequest, 1),
    fixed(r.p50),
    fixed(r.p95),
    fixed(r.p99),
    String(r.errors),
    String(r.timeouts),
    String(r.limited),
    String(r.limiterHeaders),
    r.minRemaining === null ? "" : String(r.minRemaining),
    String(r.fallbacks ?? ""),
    String(r.slowQueries ?? ""),
    r.peakRssMiB === null ? "" : String(r.peakRssMiB),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const render = (cells: string[]): string => "| " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ") + " |";
  return [render(header), "|" + widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|", ...lines.map(render)].join("\n");
}

/** Least-squares slope of RSS over time, ignoring the first quarter (start-up and JIT warm-up). */
export function rssTrend(samples: RssSample[]): { slopeMiBPerMinute: number; growthMiB: number; flat: boolean } {
  const steady = samples.slice(Math.floor(samples.length / 4));
  if (steady.length < 2) return { slopeMiBPerMinute: 0, growthMiB: 0, flat: true };
  const xs = steady.map((s) => s.seconds / 60);
  const ys = steady.map((s) => s.rssMiB);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : xs.reduce((a, x, i) => a + (x - mx) * ((ys[i] ?? 0) - my), 0) / sxx;
  const growthMiB = slope * ((xs[xs.length - 1] ?? 0) - (xs[0] ?? 0));
  // Flat: the fitted growth over the steady part is within 5% of the mean (at least 5 MiB).
  return { slopeMiBPerMinute: slope, growthMiB, flat: growthMiB < Math.max(5, 0.05 * my) };
}

/** `machine`: a baseline moved (the machine or its load changed); `regression`: a product row got worse relative to its baseline. */
export type Regression = { kind: "regression" | "machine"; target: string; connections: number; what: string; before: number; after: number; change: number };

/**
 * Rows that got worse than `threshold` (0.15 = 15%). Throughput is compared as the ratio to the
 * same run's one-read baseline and p95 as a multiple of the baseline's p95, so a busier machine
 * does not read as a regression; the baselines themselves are compared raw.
 */
export function compareReports(before: Report, after: Report, threshold: number): Regression[] {
  const found: Regression[] = [];
  const baseOf = (report: Report, connections: number): Row | undefined => report.rows.find((r) => r.target === "baseline: one Firestore read" && r.connections === connections);
  for (const row of after.rows) {
    const old = before.rows.find((r) => r.target === row.target && r.connections === row.connections);
    if (!old) continue;
    const isBaseline = row.target.startsWith("baseline:");
    const oldBase = baseOf(before, row.connections);
    const newBase = baseOf(after, row.connections);
    const normalise = !isBaseline && oldBase && newBase && oldBase.rps > 0 && newBase.rps > 0 && oldBase.p95 > 0 && newBase.p95 > 0;
    const thr = (r: Row, b: Row | undefined): number => (normalise && b ? r.rps / b.rps : r.rps);
    const p95 = (r: Row, b: Row | undefined): number => (normalise && b ? r.p95 / b.p95 : r.p95);
    const [t0, t1] = [thr(old, oldBase), thr(row, newBase)];
    const kind = isBaseline ? "machine" : "regression";
    if (t0 > 0 && (t0 - t1) / t0 > threshold) found.push({ kind, target: row.target, connections: row.connections, what: normalise ? "throughput (x one-read)" : "req/s", before: t0, after: t1, change: (t1 - t0) / t0 });
    const [l0, l1] = [p95(old, oldBase), p95(row, newBase)];
    if (l0 > 0 && (l1 - l0) / l0 > threshold) found.push({ kind, target: row.target, connections: row.connections, what: normalise ? "p95 (x one-read p95)" : "p95 ms", before: l0, after: l1, change: (l1 - l0) / l0 });
  }
  return found;
}
