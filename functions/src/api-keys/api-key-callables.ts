import { onCall } from "firebase-functions/v2/https";
import { callableOptions } from "../app/function-options";
import { services } from "../app/services";
import { callableHandler } from "../app/rate-limit";
import { createApiKeyInput, listApiKeysInput, revokeApiKeyInput } from "./api-key-schemas";

export const createApiKeyHandler = callableHandler({
  name: "apiKeys.create",
  rateLimit: { policy: "auth" },
  input: createApiKeyInput,
  handle: (input, caller) => services().apiKeys.create({ kind: "user", uid: caller.uid }, input),
});

export const listApiKeysHandler = callableHandler({
  name: "apiKeys.list",
  rateLimit: { policy: "read" },
  input: listApiKeysInput,
  handle: async (input, caller) => ({ items: await services().apiKeys.list({ kind: "user", uid: caller.uid }, input.workspaceId) }),
});

export const revokeApiKeyHandler = callableHandler({
  name: "apiKeys.revoke",
  rateLimit: { policy: "write" },
  input: revokeApiKeyInput,
  handle: (input, caller) => services().apiKeys.revoke({ kind: "user", uid: caller.uid }, input.workspaceId, input.keyId),
});

export const createApiKey = onCall(callableOptions, createApiKeyHandler);
export const listApiKeys = onCall(callableOptions, listApiKeysHandler);
export const revokeApiKey = onCall(callableOptions, revokeApiKeyHandler);
