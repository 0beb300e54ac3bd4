import { cacheTag, type CacheKey } from "../lib/cache";

/**
 * Cache keys of the identity domain. Ids join Firestore document ids with ':' or '/', which no
 * document id contains. Tags group what one write can make stale: `user:<uid>` (the user
 * everywhere) and `workspace:<id>` (a workspace, its memberships and everything in it).
 */
export const identityCacheTags = {
  user: (uid: string) => cacheTag("user", uid),
  workspace: (workspaceId: string) => cacheTag("workspace", workspaceId),
};

export const identityCacheKeys = {
  /** `UserProfile | null`, loaded by `readUserProfile` (identity/user-profile.ts). */
  user: (uid: string): CacheKey => ({ namespace: "users", id: uid, tags: [identityCacheTags.user(uid)] }),
  /** The member's `Role | null`, loaded by access control (identity/access-control.ts). */
  member: (workspaceId: string, uid: string): CacheKey => ({
    namespace: "members",
    id: `${workspaceId}:${uid}`,
    tags: [identityCacheTags.workspace(workspaceId), identityCacheTags.user(uid)],
  }),
};
