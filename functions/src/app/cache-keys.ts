import { createHash } from "node:crypto";
import type { CacheKey } from "../lib/cache";

/**
 * The keys of the product's cached reads, one builder per kind, so a reader and the invalidation
 * that must reach it cannot spell a key differently. Each namespace holds one shape of value,
 * built by one loader (named below); a second reader of a namespace uses that loader.
 *
 * Ids join Firestore document ids with '/', which no document id contains. Tags group what one
 * write can make stale: `workspace:<id>` (the workspace, its memberships and prompts),
 * `user:<uid>` (the user everywhere), `prompt:<workspaceId>:<promptId>` (a prompt and its versions).
 *
 * Kept apart from `cache.ts` (which builds the client) so domain modules can import the keys.
 */
export const cacheKeys = {
  /** `UserProfile | null`, loaded by `readUserProfile` (identity/user-profile.ts). */
  user: (uid: string): CacheKey => ({ namespace: "users", id: uid, tags: [cacheTags.user(uid)] }),
  /** `Workspace | null`, loaded by `readWorkspace` (workspaces/workspace-service.ts). */
  workspace: (workspaceId: string): CacheKey => ({ namespace: "workspaces", id: workspaceId, tags: [cacheTags.workspace(workspaceId)] }),
  /** The member's `Role | null` (identity/access-control.ts). */
  member: (workspaceId: string, uid: string): CacheKey => ({ namespace: "members", id: `${workspaceId}:${uid}`, tags: [cacheTags.workspace(workspaceId), cacheTags.user(uid)] }),
  /** The stored `apiKeys/{keyId}` record (hash, never the key) or null (api-keys/api-key-service.ts). */
  apiKey: (keyId: string): CacheKey => ({ namespace: "api-keys", id: keyId }),
  /** `PromptRecord | null`: metadata, `latestVersion`, `labels` (prompts/prompt-service.ts). */
  prompt: (workspaceId: string, promptId: string): CacheKey => ({
    namespace: "prompts",
    id: `${workspaceId}/${promptId}`,
    tags: [cacheTags.workspace(workspaceId), cacheTags.prompt(workspaceId, promptId)],
  }),
  /** `PromptVersionView | null`; versions are immutable, so only a hard delete drops them. */
  promptVersion: (workspaceId: string, promptId: string, version: number): CacheKey => ({
    namespace: "prompt-versions",
    id: `${workspaceId}/${promptId}/${version}`,
    tags: [cacheTags.workspace(workspaceId), cacheTags.prompt(workspaceId, promptId)],
  }),
};

export const cacheTags = {
  user: (uid: string) => `user:${tagPart(uid)}`,
  workspace: (workspaceId: string) => `workspace:${tagPart(workspaceId)}`,
  prompt: (workspaceId: string, promptId: string) => `prompt:${tagPart(workspaceId)}:${tagPart(promptId)}`,
};

const TAG_SAFE = /^[A-Za-z0-9_.@-]{1,128}$/;

/**
 * Tags allow a narrow alphabet; an id outside it (a custom Auth uid may hold any character) is
 * replaced by a digest, so it still names exactly one tag and never fails the read.
 */
function tagPart(id: string): string {
  return TAG_SAFE.test(id) ? id : `h.${createHash("sha256").update(id, "utf8").digest("base64url").slice(0, 32)}`;
}
