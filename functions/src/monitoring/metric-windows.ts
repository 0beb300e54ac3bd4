import { addCounts, emptyCounts, type MetricCounts } from "../lib/metrics";
import type { Clock } from "../lib/clock";
import { decodeCounts, periodPath, periodStart, PERIOD_MS, type MonitoringDb, type Period } from "./monitoring-records";

/** Windows the alert rules and SLOs read; each is a sum of rolled-up periods ending at the last complete minute. */
export const WINDOWS = { "5m": 5 * 60_000, "30m": 30 * 60_000, "1h": 3_600_000, "6h": 6 * 3_600_000, "3d": 3 * 86_400_000, "30d": 30 * 86_400_000 } as const;
export type WindowName = keyof typeof WINDOWS;

/** The periods a window is read from: minutes up to an hour, hours up to a day, days beyond. */
function periodsFor(windowMs: number): Period {
  return windowMs <= 3_600_000 ? "minute" : windowMs <= 86_400_000 ? "hour" : "day";
}

/**
 * Reads every window with point reads (`getAll` of period documents by id, no query): 60 minute,
 * 7 hourly and 31 daily documents per evaluation at most (the larger windows reuse them). A
 * missing document is a period without traffic. Hour and day windows include the current,
 * partial period: they span a little more than their name, never less.
 */
export async function readWindows(db: Pick<MonitoringDb, "doc" | "getAll">, clock: Clock, windows: readonly WindowName[] = Object.keys(WINDOWS) as WindowName[]): Promise<Record<WindowName, MetricCounts>> {
  const lastComplete = periodStart("minute", clock.now()) - 60_000;
  const paths = new Map<string, { period: Period; start: number }>();
  const plan = windows.map((name) => {
    const windowMs = WINDOWS[name];
    const period = periodsFor(windowMs);
    const step = PERIOD_MS[period];
    const last = periodStart(period, lastComplete);
    const count = Math.ceil(windowMs / step);
    const wanted: string[] = [];
    for (let i = 0; i < count; i++) {
      const start = last - i * step;
      const path = periodPath(period, start);
      paths.set(path, { period, start });
      wanted.push(path);
    }
    return { name, wanted };
  });
  const byPath = new Map<string, MetricCounts>();
  const all = [...paths.keys()];
  for (let i = 0; i < all.length; i += 100) {
    const refs = all.slice(i, i + 100).map((path) => db.doc(path));
    if (refs.length === 0) continue;
    const snaps = await db.getAll(...refs);
    snaps.forEach((snap, j) => byPath.set(all[i + j] ?? "", snap.exists ? decodeCounts(snap.data()) : emptyCounts()));
  }
  const out = {} as Record<WindowName, MetricCounts>;
  for (const { name, wanted } of plan) out[name] = wanted.reduce((acc, path) => addCounts(acc, byPath.get(path) ?? emptyCounts()), emptyCounts());
  return out;
}
