import { z } from "zod";

/**
 * How one value is stored in Redis: `~1|<header JSON>\n<payload>`. The header carries the
 * expiry times (by the cache's clock, so tests can move time) and the versions of the entry's
 * key, namespace and tags as they were read before the loader ran. A read compares them with the
 * current versions fetched in the same MGET: any difference means the value was invalidated.
 *
 * The leading `~` makes the text invalid JSON, so the Upstash client's automatic
 * deserialization hands it back untouched.
 */

const MARKER = "~1|";

/** Versions of the invalidation units an entry belongs to, as strings; "0" when never bumped. */
export type VersionStamps = {
  key: string;
  namespace: string;
  tags: Record<string, string>;
};

export type Envelope = {
  /** Fresh until then (ms, cache clock). */
  softExpiresAt: number;
  /** Servable as stale (while one instance refreshes) until then. */
  hardExpiresAt: number;
  stamps: VersionStamps;
  /** The loader answered not found. */
  negative: boolean;
  /** The encoded value (`serialization.ts`); empty for a negative entry. */
  payload: string;
};

const headerSchema = z.object({ s: z.number(), h: z.number(), k: z.string(), n: z.string(), t: z.record(z.string(), z.string()), x: z.literal(1).optional() });
type Header = z.infer<typeof headerSchema>;

export function writeEnvelope(envelope: Envelope): string {
  const header: Header = { s: envelope.softExpiresAt, h: envelope.hardExpiresAt, k: envelope.stamps.key, n: envelope.stamps.namespace, t: envelope.stamps.tags };
  if (envelope.negative) header.x = 1;
  return `${MARKER}${JSON.stringify(header)}\n${envelope.payload}`;
}

/** The envelope, or `null` for anything else (an older format, a foreign value): a miss. */
export function readEnvelope(raw: unknown): Envelope | null {
  if (typeof raw !== "string" || !raw.startsWith(MARKER)) return null;
  const nl = raw.indexOf("\n");
  if (nl === -1) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw.slice(MARKER.length, nl));
  } catch {
    return null;
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) return null;
  const header = parsed.data;
  return {
    softExpiresAt: header.s,
    hardExpiresAt: header.h,
    stamps: { key: header.k, namespace: header.n, tags: header.t },
    negative: header.x === 1,
    payload: raw.slice(nl + 1),
  };
}

export function stampsEqual(stored: VersionStamps, current: VersionStamps): boolean {
  if (stored.key !== current.key || stored.namespace !== current.namespace) return false;
  const tags = Object.keys(current.tags);
  if (Object.keys(stored.tags).length !== tags.length) return false;
  return tags.every((tag) => stored.tags[tag] === current.tags[tag]);
}

/** A version as Redis (through the Upstash client's deserialization) hands it back. */
export function versionOf(raw: unknown): string {
  return raw === null || raw === undefined ? "0" : String(raw);
}
