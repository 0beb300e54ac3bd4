import type { Firestore } from "firebase-admin/firestore";
import type { ReadThroughCache } from "../lib/cache";
import { NotFoundError } from "../lib/errors";
import type { Identity, Tier } from "../lib/rate-limit";
import { readWorkspace } from "../workspaces/workspace-service";
import { workspaceCacheKeys } from "../workspaces/workspace-cache-keys";
import { createPlanResolver } from "./plan";

/** The plans a paying account can have. */
export type Plan = Exclude<Tier, "anonymous">;

/** Who pays for what runs in a workspace: its owner, with the owner's plan. */
export type Payer = {
  uid: string;
  plan: Plan;
  /** The limiter identity spend is charged to: the owner's account, whatever key or member ran. */
  identity: Identity;
};

/**
 * Resolves a workspace's payer: `workspaces/{w}.ownerUid`, then `users/{owner}.plan`, both through
 * the shared cache (the workspace record under its usual key, so the triggers that invalidate it
 * on a write also reach this lookup). Spend is charged here rather than to the caller because
 * keys, members and workspaces are free to multiply; the paying account is not.
 */
export function createPayerResolver({ db, cache }: { db: Pick<Firestore, "doc">; cache: Pick<ReadThroughCache, "getOrLoad"> }) {
  const tierOf = createPlanResolver({ db, cache });
  return async (workspaceId: string): Promise<Payer> => {
    const workspace = await cache.getOrLoad(workspaceCacheKeys.workspace(workspaceId), () => readWorkspace(db, workspaceId), "user");
    if (!workspace) throw new NotFoundError("Workspace not found.");
    const tier = await tierOf({ kind: "user", id: workspace.ownerUid });
    const plan: Plan = tier === "anonymous" ? "free" : tier;
    return { uid: workspace.ownerUid, plan, identity: { kind: "user", id: workspace.ownerUid, tier: plan } };
  };
}

export type PayerResolver = ReturnType<typeof createPayerResolver>;
