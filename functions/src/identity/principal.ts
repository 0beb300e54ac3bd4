import { PermissionDeniedError } from "../lib/errors";
import type { ApiKeyScope } from "./permissions";

export const PLAN_TIERS = ["free", "pro", "enterprise"] as const;
export type PlanTier = (typeof PLAN_TIERS)[number];

/**
 * Who is acting. Callables act for a Firebase Auth user; REST calls for an API key, which
 * belongs to exactly one workspace and carries scopes.
 */
export type Principal =
  | { kind: "user"; uid: string }
  | { kind: "apiKey"; keyId: string; workspaceId: string; scopes: readonly ApiKeyScope[]; createdBy: string };

/** The uid recorded as author of a change (an API key acts for the user who created it). */
export function actorUid(principal: Principal): string {
  return principal.kind === "user" ? principal.uid : principal.createdBy;
}

export function principalId(principal: Principal): string {
  return principal.kind === "user" ? `user:${principal.uid}` : `apiKey:${principal.keyId}`;
}

/** The uid of a user principal; API keys act inside their one workspace and may not do this. */
export function requireUser(principal: Principal): string {
  if (principal.kind !== "user") throw new PermissionDeniedError("API keys cannot do this; sign in as a user.");
  return principal.uid;
}
