import type { Clock } from "../clock";
import { logger } from "../logging";
import type { SecretAuditRecorder } from "./secret-audit";
import { SecretAccessError, type SecretSource, type SecretValue } from "./secret-source";

/**
 * Runtime secrets (keys the backend rotates itself) read through a `SecretSource` with an
 * in-memory cache per instance. Decisions, per failure:
 * - transient errors (unavailable, deadline) are retried with exponential backoff;
 * - when an alias (`current`) still cannot be read, the last good value of that alias is served
 *   (stale, logged, audited as `fallback`), else the `previous` alias: rotation never turns a
 *   Secret Manager hiccup into an outage (fail open to an older *valid* key, never to no key);
 * - a pinned version (`"3"`) that is disabled or destroyed is not served from a stale cache
 *   once its entry expires: that is how an old key stops working after its grace period.
 */
export type SecretReaderOptions = {
  source: SecretSource;
  clock: Clock;
  audit: SecretAuditRecorder;
  /** Who reads (the function's name), for the audit trail. */
  actor: string;
  /** How long a value is served from memory. @default 300_000 (5 min) */
  ttlMs?: number;
  /** Attempts per read, the first included. @default 3 */
  attempts?: number;
  /** First backoff; doubled per retry. @default 100 */
  backoffMs?: number;
  /** @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Where rotations are announced: a number that moves whenever a secret's versions change
   * (the rotation state's `generation`). Looked at most every `announcementCheckMs` per secret;
   * when it moved, the secret's cached values are dropped, so every instance follows a rotation
   * or a retirement within that time rather than the TTL. A failed look keeps the cache (fail open).
   */
  announcements?: (secretId: string) => Promise<number | null>;
  /** @default 30_000 */
  announcementCheckMs?: number;
};

type Entry = { value: SecretValue; expiresAt: number };

export type SecretReader = {
  /** The value of `secretId` at `version` (a number, `latest` or an alias). */
  get(secretId: string, version?: string): Promise<SecretValue>;
  /** Drops cached values of a secret (a new version was announced): the next read asks the source. */
  invalidate(secretId?: string): void;
};

/** The alias the backend signs and encrypts with; `previous` stays accepted during a grace period. */
export const CURRENT = "current";
export const PREVIOUS = "previous";

export function createSecretReader(options: SecretReaderOptions): SecretReader {
  const { source, clock, audit, actor } = options;
  const ttlMs = options.ttlMs ?? 300_000;
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 100;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const cache = new Map<string, Entry>();
  /** Last good value per alias, kept past its TTL for the fallback. */
  const lastGood = new Map<string, SecretValue>();
  const inflight = new Map<string, Promise<SecretValue>>();
  const announced = new Map<string, { generation: number | null; checkedAt: number }>();
  const checkEveryMs = options.announcementCheckMs ?? 30_000;

  async function followAnnouncements(secretId: string): Promise<void> {
    if (!options.announcements) return;
    const seen = announced.get(secretId);
    if (seen && clock.now() - seen.checkedAt < checkEveryMs) return;
    try {
      const generation = await options.announcements(secretId);
      if (seen && seen.generation !== generation) invalidate(secretId);
      announced.set(secretId, { generation, checkedAt: clock.now() });
    } catch {
      announced.set(secretId, { generation: seen?.generation ?? null, checkedAt: clock.now() });
    }
  }

  function invalidate(secretId?: string): void {
    for (const key of [...cache.keys()]) if (!secretId || key.startsWith(`${secretId}@`)) cache.delete(key);
  }

  async function readWithRetries(secretId: string, version: string): Promise<SecretValue> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await source.access(secretId, version);
      } catch (error) {
        const transient = error instanceof SecretAccessError ? error.reason === "transient" : true;
        if (!transient || attempt >= attempts) throw error;
        logger.warn("secret_read_retry", { secretId, version, attempt });
        await sleep(backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  async function load(secretId: string, version: string): Promise<SecretValue> {
    const key = `${secretId}@${version}`;
    const isAlias = !/^\d+$/.test(version);
    try {
      const value = await readWithRetries(secretId, version);
      cache.set(key, { value, expiresAt: clock.now() + ttlMs });
      if (isAlias) lastGood.set(key, value);
      audit.record({ kind: "access", secretId, version: value.version, actor, outcome: "ok", at: clock.now() });
      return value;
    } catch (error) {
      const reason = error instanceof SecretAccessError ? error.reason : "transient";
      const stale = isAlias ? lastGood.get(key) : undefined;
      if (stale) return served(secretId, stale, `stale ${version} after ${reason}`);
      if (version === CURRENT) {
        try {
          if (reason !== "not-found") return served(secretId, await readWithRetries(secretId, PREVIOUS), `${PREVIOUS} after ${reason}`);
          // No `current` alias yet (a secret before its first rotation): its newest version is current.
          const value = await readWithRetries(secretId, "latest");
          cache.set(key, { value, expiresAt: clock.now() + ttlMs });
          lastGood.set(key, value);
          audit.record({ kind: "access", secretId, version: value.version, actor, outcome: "ok", at: clock.now(), detail: "latest" });
          return value;
        } catch {
          // Neither is readable: the original failure is the one to report.
        }
      }
      audit.record({ kind: "access", secretId, version, actor, outcome: "error", at: clock.now(), detail: reason });
      logger.error("secret_read_failed", { secretId, version, reason });
      throw error;
    }
  }

  function served(secretId: string, value: SecretValue, detail: string): SecretValue {
    audit.record({ kind: "access", secretId, version: value.version, actor, outcome: "fallback", at: clock.now(), detail });
    logger.warn("secret_fallback", { secretId, version: value.version, detail });
    return value;
  }

  return {
    async get(secretId, version = CURRENT) {
      await followAnnouncements(secretId);
      const key = `${secretId}@${version}`;
      const hit = cache.get(key);
      if (hit && hit.expiresAt > clock.now()) return hit.value;
      let pending = inflight.get(key);
      if (!pending) {
        // Concurrent misses share one read.
        pending = load(secretId, version).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      return pending;
    },
    invalidate,
  };
}
