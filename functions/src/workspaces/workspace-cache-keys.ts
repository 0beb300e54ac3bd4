import { identityCacheTags } from "../identity/identity-cache-keys";
import type { CacheKey } from "../lib/cache";

export const workspaceCacheKeys = {
  /** `Workspace | null`, loaded by `readWorkspace` (workspaces/workspace-service.ts). */
  workspace: (workspaceId: string): CacheKey => ({ namespace: "workspaces", id: workspaceId, tags: [identityCacheTags.workspace(workspaceId)] }),
};
