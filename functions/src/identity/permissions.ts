/**
 * What each workspace role may do, and the scopes an API key can carry. One table, so a new
 * action is granted in one place.
 */
export const ROLES = ["viewer", "editor", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = [
  "workspace:read",
  "workspace:manage",
  "members:manage",
  "apiKeys:manage",
  "webhooks:manage",
  "prompts:read",
  "prompts:write",
  "documents:read",
  "documents:write",
  "executions:read",
  "executions:run",
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Scopes an API key may be given: the data actions and webhook management (a server automating
 * its own endpoints), never management of members or keys. A key never does more than its
 * creator's current role allows (access control checks both).
 */
export const API_KEY_SCOPES = [
  "prompts:read",
  "prompts:write",
  "documents:read",
  "documents:write",
  "executions:read",
  "executions:run",
  "webhooks:manage",
] as const satisfies readonly Action[];
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

const READ: Action[] = ["workspace:read", "prompts:read", "documents:read", "executions:read"];
const WRITE: Action[] = ["prompts:write", "documents:write", "executions:run"];

const GRANTS: Record<Role, ReadonlySet<Action>> = {
  viewer: new Set(READ),
  editor: new Set([...READ, ...WRITE]),
  admin: new Set([...READ, ...WRITE, "members:manage", "apiKeys:manage", "webhooks:manage"]),
  owner: new Set([...READ, ...WRITE, "members:manage", "apiKeys:manage", "webhooks:manage", "workspace:manage"]),
};

export function roleAllows(role: Role, action: Action): boolean {
  return GRANTS[role].has(action);
}

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}
