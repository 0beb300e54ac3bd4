import type { Firestore } from "firebase-admin/firestore";
import type { ReadThroughCache } from "../lib/cache";
import type { Identity, Tier } from "../lib/rate-limit";
import { readWorkspace } from "../workspaces/workspace-service";
import { workspaceCacheKeys } from "../workspaces/workspace-cache-keys";
import { identityCacheKeys } from "./identity-cache-keys";
import { readUserProfile } from "./user-profile";

const TIERS: ReadonlySet<string> = new Set<Tier>(["free", "pro", "enterprise"]);

/** A plan name as a tier the limiter knows, or undefined for anything else. */
export function asTier(value: unknown): Tier | undefined {
  return typeof value === "string" && TIERS.has(value) ? (value as Tier) : undefined;
}

/**
 * The limiter's tier resolver: a user's plan from `users/{uid}`, an API key's from its
 * workspace, both through the shared cache (a plan change reaches every instance within the
 * cache's staleness bound, by the triggers on those documents). Unknown is free.
 */
export function createPlanResolver({ db, cache }: { db: Pick<Firestore, "doc">; cache: Pick<ReadThroughCache, "getOrLoad"> }) {
  return async (identity: Identity): Promise<Tier> => {
    if (identity.kind === "user") {
      const profile = await cache.getOrLoad(identityCacheKeys.user(identity.id), () => readUserProfile(db, identity.id), "user");
      return asTier(profile?.plan) ?? "free";
    }
    if (identity.kind === "apiKey" && identity.workspaceId) {
      const workspaceId = identity.workspaceId;
      const workspace = await cache.getOrLoad(workspaceCacheKeys.workspace(workspaceId), () => readWorkspace(db, workspaceId), "user");
      return asTier(workspace?.plan) ?? "free";
    }
    return "free";
  };
}
