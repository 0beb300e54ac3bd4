import type { ApiKeyScope } from "./permissions";

export type PlanTier = "free" | "pro" | "enterprise";

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
