import { identityCacheTags } from "../identity/identity-cache-keys";
import { cacheTag, type CacheKey } from "../lib/cache";

export const promptCacheTags = {
  /** A prompt and its versions. */
  prompt: (workspaceId: string, promptId: string) => cacheTag("prompt", workspaceId, promptId),
};

export const promptCacheKeys = {
  /** `PromptRecord | null`: metadata, `latestVersion`, `labels` (prompts/prompt-service.ts). */
  prompt: (workspaceId: string, promptId: string): CacheKey => ({
    namespace: "prompts",
    id: `${workspaceId}/${promptId}`,
    tags: [identityCacheTags.workspace(workspaceId), promptCacheTags.prompt(workspaceId, promptId)],
  }),
  /** `PromptVersionView | null`; versions are immutable, so only a hard delete drops them. */
  promptVersion: (workspaceId: string, promptId: string, version: number): CacheKey => ({
    namespace: "prompt-versions",
    id: `${workspaceId}/${promptId}/${version}`,
    tags: [identityCacheTags.workspace(workspaceId), promptCacheTags.prompt(workspaceId, promptId)],
  }),
};
