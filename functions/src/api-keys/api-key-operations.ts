import { z } from "zod";
import { operation } from "../api/operation";
import type { ApiKeyService } from "./api-key-service";
import { apiKeyView, createApiKeyInput, listApiKeysInput, revokeApiKeyInput } from "./api-key-schemas";

type Deps = { apiKeys: ApiKeyService };

/** API keys are managed by signed-in workspace admins; keys cannot manage keys. */
export const apiKeyOperations = {
  createApiKey: operation({
    name: "apiKeys.create",
    callable: "createApiKey",
    summary: "Create an API key; its secret is returned once.",
    tags: ["apiKeys"],
    action: "apiKeys:manage",
    rateLimit: { policy: "auth" },
    input: createApiKeyInput,
    output: z.object({ apiKey: apiKeyView, secret: z.string() }),
    run: ({ apiKeys }: Deps, principal, input) => apiKeys.create(principal, input),
  }),
  listApiKeys: operation({
    name: "apiKeys.list",
    callable: "listApiKeys",
    summary: "List a workspace's API keys (never their secrets).",
    tags: ["apiKeys"],
    action: "apiKeys:manage",
    rateLimit: { policy: "read" },
    input: listApiKeysInput,
    output: z.object({ items: z.array(apiKeyView) }),
    run: async ({ apiKeys }: Deps, principal, input) => ({ items: await apiKeys.list(principal, input.workspaceId) }),
  }),
  revokeApiKey: operation({
    name: "apiKeys.revoke",
    callable: "revokeApiKey",
    summary: "Revoke an API key; refused everywhere within the cache's staleness bound.",
    tags: ["apiKeys"],
    action: "apiKeys:manage",
    rateLimit: { policy: "write" },
    input: revokeApiKeyInput,
    output: apiKeyView,
    run: ({ apiKeys }: Deps, principal, input) => apiKeys.revoke(principal, input.workspaceId, input.keyId),
  }),
};
