/** google.protobuf Timestamp / Duration as proto-loader decodes them (longs as strings). */
export type Timestamp = { seconds?: string | number; nanos?: number };
export type Duration = { seconds?: string | number; nanos?: number };

export const toTimestamp = (ms: number): Timestamp => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 });
export const timestampMs = (t: Timestamp | undefined): number => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1_000_000);
export const durationMs = (d: Duration | undefined): number => Number(d?.seconds ?? 0) * 1000 + Math.floor((d?.nanos ?? 0) / 1_000_000);

/** RFC 3339 with nanosecond precision trimmed to milliseconds, as the proto3 JSON mapping writes it. */
export const rfc3339 = (t: Timestamp): string => new Date(timestampMs(t)).toISOString();
/** proto3 JSON of a Duration: seconds with a fraction, suffixed `s`. */
export const durationJson = (d: Duration): string => `${durationMs(d) / 1000}s`;
