import { randomBytes } from "node:crypto";
import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { LRUCache } from "lru-cache";
import { appendEvent } from "../events/outbox";
import { actorUid } from "../identity/principal";
import { apiKeyCacheKeys } from "./api-key-cache-keys";
import type { AccessControl } from "../identity/access-control";
import type { Principal } from "../identity/principal";
import type { ReadThroughCache } from "../lib/cache";
import type { Clock } from "../lib/clock";
import { FailedPreconditionError, UnauthenticatedError, ValidationError } from "../lib/errors";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { readRecord, requireRecord } from "../lib/firestore-records";
import { generateApiKey, hashesEqual, hashApiKey, parseApiKey } from "./api-key-format";
import { API_KEYS, storedApiKeySchema, type StoredApiKey } from "./api-key-records";
import type { ApiKeyView, CreateApiKeyInput } from "./api-key-schemas";

export const API_KEY_QUERIES = {
  countActive: queryShape({ name: "apiKeys.countActive", collectionGroup: API_KEYS, equality: ["workspaceId", "revokedAt"] }),
  list: queryShape({ name: "apiKeys.list", collectionGroup: API_KEYS, equality: ["workspaceId"], orderBy: [["createdAt", "desc"]] }),
};

/** Active keys one workspace may hold. @default 50 */
export const MAX_ACTIVE_KEYS_PER_WORKSPACE = 50;
/** `lastUsedAt` is rewritten at most this often per key, so busy keys cause no write hotspot. */
const LAST_USED_RESOLUTION_MS = 60_000;
const API_KEY = { kind: "API key" };

export type ApiKeyServiceDeps = {
  db: Pick<Firestore, "collection" | "doc" | "batch">;
  clock: Clock;
  access: Pick<AccessControl, "require">;
  /** Stored records (the hash, never the key) are read through it; `revoke` invalidates. */
  cache: ReadThroughCache;
  random?: (size: number) => Buffer;
};

export function createApiKeyService({ db, clock, access, cache, random = randomBytes }: ApiKeyServiceDeps) {
  const keys = () => db.collection(API_KEYS);
  const readKey = async (keyId: string) => readRecord(await keys().doc(keyId).get(), storedApiKeySchema, API_KEY);
  /**
   * When this instance last wrote `lastUsedAt` of a key. The cached record's `lastUsedAt` lags
   * (those writes do not invalidate it, or every minute of use would evict the key everywhere),
   * so the once-a-minute rule compares against the later of the two: one write per key per
   * minute per instance at most.
   */
  const lastUsedWritten = new LRUCache<string, number>({ max: 10_000 });

  return {
    /** Creates a key; the plaintext secret is in the answer and nowhere else, ever. */
    async create(principal: Principal, input: CreateApiKeyInput): Promise<{ apiKey: ApiKeyView; secret: string }> {
      await access.require(principal, input.workspaceId, "apiKeys:manage");
      const expiresAt = input.expiresAt ? Timestamp.fromDate(new Date(input.expiresAt)) : null;
      if (expiresAt && expiresAt.toMillis() <= clock.now()) {
        throw new ValidationError("Invalid expiresAt: must be in the future", [{ path: "expiresAt", message: "Must be in the future" }]);
      }
      const active = await runQuery(API_KEY_QUERIES.countActive, keys().where("workspaceId", "==", input.workspaceId).where("revokedAt", "==", null).count());
      if (active.data().count >= MAX_ACTIVE_KEYS_PER_WORKSPACE) {
        throw new FailedPreconditionError(`A workspace may hold at most ${MAX_ACTIVE_KEYS_PER_WORKSPACE} active API keys; revoke one first.`);
      }
      const generated = generateApiKey(random);
      const stored: StoredApiKey = {
        workspaceId: input.workspaceId,
        name: input.name,
        prefix: generated.displayPrefix,
        hash: generated.hash,
        scopes: [...new Set(input.scopes)],
        createdBy: principal.kind === "user" ? principal.uid : principal.createdBy,
        createdAt: Timestamp.fromMillis(clock.now()),
        updatedAt: Timestamp.fromMillis(clock.now()),
        expiresAt,
        revokedAt: null,
        lastUsedAt: null,
      };
      const batch = db.batch();
      batch.create(keys().doc(generated.keyId), stored);
      const data = { keyId: generated.keyId, name: input.name, scopes: stored.scopes, createdBy: stored.createdBy };
      appendEvent(db, batch, { type: "api_key.created", workspaceId: input.workspaceId, subject: `apiKeys/${generated.keyId}`, occurredAt: clock.now(), data });
      await batch.commit();
      return { apiKey: toView(generated.keyId, stored), secret: generated.plaintext };
    },

    async list(principal: Principal, workspaceId: string): Promise<ApiKeyView[]> {
      await access.require(principal, workspaceId, "apiKeys:manage");
      const snap = await runQuery(API_KEY_QUERIES.list, keys().where("workspaceId", "==", workspaceId).orderBy("createdAt", "desc").limit(MAX_ACTIVE_KEYS_PER_WORKSPACE * 4));
      return snap.docs.map((doc) => toView(doc.id, requireRecord(doc, storedApiKeySchema, API_KEY)));
    },

    /** Revokes a key; revoking twice is not an error. */
    async revoke(principal: Principal, workspaceId: string, keyId: string): Promise<ApiKeyView> {
      await access.require(principal, workspaceId, "apiKeys:manage");
      const ref = keys().doc(keyId);
      const stored = readRecord(await ref.get(), storedApiKeySchema, API_KEY);
      if (!stored || stored.workspaceId !== workspaceId) throw new ValidationError("Invalid keyId: no such key in this workspace", [{ path: "keyId", message: "Unknown key" }]);
      if (stored.revokedAt) return toView(keyId, stored);
      const revokedAt = Timestamp.fromMillis(clock.now());
      const batch = db.batch();
      batch.update(ref, { revokedAt, updatedAt: revokedAt });
      appendEvent(db, batch, { type: "api_key.revoked", workspaceId, subject: `apiKeys/${keyId}`, occurredAt: revokedAt.toMillis(), data: { keyId, revokedBy: actorUid(principal) } });
      await batch.commit();
      await cache.invalidate({ keys: [apiKeyCacheKeys.apiKey(keyId)] });
      return toView(keyId, { ...stored, revokedAt });
    },

    /**
     * Turns a presented `Authorization: Bearer` key into a principal, or throws
     * `UnauthenticatedError` with one message for every kind of failure (no oracle).
     */
    async authenticate(presented: string): Promise<Extract<Principal, { kind: "apiKey" }>> {
      const invalid = () => new UnauthenticatedError("Invalid or expired API key.");
      const parsed = parseApiKey(presented);
      if (!parsed) throw invalid();
      const stored = await cache.getOrLoad(apiKeyCacheKeys.apiKey(parsed.keyId), () => readKey(parsed.keyId), "user");
      if (!stored || !hashesEqual(stored.hash, hashApiKey(presented))) throw invalid();
      const now = clock.now();
      if (stored.revokedAt || (stored.expiresAt && stored.expiresAt.toMillis() <= now)) throw invalid();
      const lastUsed = Math.max(stored.lastUsedAt?.toMillis() ?? 0, lastUsedWritten.get(parsed.keyId) ?? 0);
      if (now - lastUsed >= LAST_USED_RESOLUTION_MS) {
        lastUsedWritten.set(parsed.keyId, now);
        await keys().doc(parsed.keyId).update({ lastUsedAt: Timestamp.fromMillis(now), updatedAt: Timestamp.fromMillis(now) });
      }
      return { kind: "apiKey", keyId: parsed.keyId, workspaceId: stored.workspaceId, scopes: [...stored.scopes], createdBy: stored.createdBy };
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;

function iso(value: Timestamp | null): string | null {
  return value ? value.toDate().toISOString() : null;
}

function toView(keyId: string, stored: StoredApiKey): ApiKeyView {
  return {
    keyId,
    workspaceId: stored.workspaceId,
    name: stored.name,
    prefix: stored.prefix,
    scopes: stored.scopes,
    createdBy: stored.createdBy,
    createdAt: iso(stored.createdAt) ?? "",
    expiresAt: iso(stored.expiresAt),
    revokedAt: iso(stored.revokedAt),
    lastUsedAt: iso(stored.lastUsedAt),
  };
}
