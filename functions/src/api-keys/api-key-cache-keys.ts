import type { CacheKey } from "../lib/cache";

export const apiKeyCacheKeys = {
  /** The stored `apiKeys/{keyId}` record (hash, never the key) or null (api-keys/api-key-service.ts). */
  apiKey: (keyId: string): CacheKey => ({ namespace: "api-keys", id: keyId }),
};
