/**
 * Server time. Versions are integers in microseconds since the epoch (like production, whose
 * timestamps have microsecond precision), handed out strictly increasing so every commit has a
 * unique time that orders versions and doubles as a listen resume token.
 */
import type { Timestamp } from "./types";

export type Micros = number;

let last: Micros = 0;

/** A fresh, strictly increasing commit time. */
export function nextTime(): Micros {
  const now = Date.now() * 1000;
  last = now > last ? now : last + 1;
  return last;
}

/** The latest time handed out (or now): what a read "now" observes. */
export function currentTime(): Micros {
  const now = Date.now() * 1000;
  return now > last ? now : last;
}

export function toTimestamp(us: Micros): Timestamp {
  const seconds = Math.floor(us / 1_000_000);
  return { seconds: String(seconds), nanos: (us - seconds * 1_000_000) * 1000 };
}

/** Truncates to microseconds: finer client timestamps compare at the precision we store. */
export function fromTimestamp(ts: Timestamp | undefined): Micros {
  if (!ts) return 0;
  return Number(ts.seconds ?? 0) * 1_000_000 + Math.floor((ts.nanos ?? 0) / 1000);
}

export function resumeToken(us: Micros): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigInt64BE(BigInt(us));
  return buf;
}
