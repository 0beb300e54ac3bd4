import { z } from "zod";
import { API_KEY_SCOPES } from "../identity/permissions";
import { fields } from "../lib/validation";

export const apiKeyScope = z.enum(API_KEY_SCOPES);

export const createApiKeyInput = z.strictObject({
  workspaceId: fields.id,
  name: fields.name,
  scopes: z.array(apiKeyScope).min(1, "Give the key at least one scope").max(API_KEY_SCOPES.length),
  /** ISO-8601 time after which the key stops working; omit for a key that never expires. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export const listApiKeysInput = z.strictObject({ workspaceId: fields.id });
export const revokeApiKeyInput = z.strictObject({ workspaceId: fields.id, keyId: z.string().regex(/^[A-Za-z0-9_-]{12}$/, "Not an API key id") });

export type CreateApiKeyInput = z.infer<typeof createApiKeyInput>;

export const apiKeyView = z.object({
  keyId: z.string(),
  workspaceId: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(apiKeyScope),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type ApiKeyView = z.infer<typeof apiKeyView>;
