import { z } from "zod";
import { API_KEY_SCOPES } from "../identity/permissions";
import { timestampField } from "../lib/firestore-records";

/**
 * Firestore layout of API keys: `apiKeys/{keyId}`, top level so a presented key is one document
 * read. `hash` is the SHA-256 of the whole key; the key itself is never stored.
 */
export const API_KEYS = "apiKeys";

export const apiKeyPath = (keyId: string) => `${API_KEYS}/${keyId}`;

export const storedApiKeySchema = z.object({
  workspaceId: z.string(),
  name: z.string(),
  prefix: z.string(),
  hash: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  createdBy: z.string(),
  createdAt: timestampField,
  expiresAt: timestampField.nullable(),
  revokedAt: timestampField.nullable(),
  /** Rewritten at most once a minute per key. */
  lastUsedAt: timestampField.nullable(),
  /** Moved by every write, so the hourly backup sees the change (optional: records older than the field still read). */
  updatedAt: timestampField.optional(),
});
export type StoredApiKey = z.infer<typeof storedApiKeySchema>;
