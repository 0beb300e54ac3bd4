/** Conversions between protobuf Timestamp / Duration and milliseconds. */
import { invalidArgument } from "./errors";
import type { Duration, Timestamp } from "./types";

export function durationMs(d: Duration | undefined | null): number | undefined {
  if (!d) return undefined;
  return Number(d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}

export function toDuration(ms: number): Duration {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

export function timestampMs(t: Timestamp | undefined | null): number {
  if (!t) throw invalidArgument("A timestamp is required");
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

export function toTimestamp(ms: number): Timestamp {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

/** RFC 3339 with nanosecond digits, as the push JSON body carries it. */
export const toRfc3339 = (ms: number): string => new Date(ms).toISOString();

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const DAY = 24 * 60 * MINUTE;
