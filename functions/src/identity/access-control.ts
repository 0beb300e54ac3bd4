import type { Firestore } from "firebase-admin/firestore";
import { identityCacheKeys } from "./identity-cache-keys";
import type { ReadThroughCache } from "../lib/cache";
import { NotFoundError, PermissionDeniedError } from "../lib/errors";
import { readRecord } from "../lib/firestore-records";
import { memberPath, storedMemberSchema } from "../workspaces/workspace-records";
import { roleAllows, type Action, type Role } from "./permissions";
import type { Principal } from "./principal";

export type AccessControlDeps = {
  db: Pick<Firestore, "doc">;
  /** Roles are read through it (`user` class); `workspace-service` invalidates what it writes. */
  cache: Pick<ReadThroughCache, "getOrLoad">;
};

export type MembershipLoader = (workspaceId: string, uid: string) => Promise<Role | null>;

type ApiKeyPrincipal = Extract<Principal, { kind: "apiKey" }>;

/**
 * Every read and write of workspace data asks here first. A workspace the caller cannot see
 * answers not-found, not permission-denied, so ids of other tenants' data leak nothing.
 *
 * Roles come from the cache (one read per request otherwise); a `loadRole` given here is used
 * as is, uncached.
 */
export function createAccessControl({ db, cache }: AccessControlDeps, loadRole?: MembershipLoader) {
  const readRole: MembershipLoader = async (workspaceId, uid) => {
    const member = readRecord(await db.doc(memberPath(workspaceId, uid)).get(), storedMemberSchema, { kind: "workspace member" });
    return member?.role ?? null;
  };
  const roleOf: MembershipLoader = loadRole ?? ((workspaceId, uid) => cache.getOrLoad(identityCacheKeys.member(workspaceId, uid), () => readRole(workspaceId, uid), "user"));

  /**
   * A key acts for its creator, so it may never do more than the creator may do now: a removed
   * or demoted creator takes the key's rights with them. The role is read through the same cache
   * as a user's, so membership writes (service and trigger invalidations) reach keys within the
   * same staleness bound. Permission-denied rather than not-found: the key is bound to this
   * workspace, so its holder learns nothing new about which workspaces exist.
   */
  async function requireKeyCreator(principal: ApiKeyPrincipal, action: Action): Promise<void> {
    const role = await roleOf(principal.workspaceId, principal.createdBy);
    if (!role) {
      throw new PermissionDeniedError("This API key's creator is no longer a member of its workspace.", { reason: "key_creator_not_member", requiredAction: action });
    }
    if (!roleAllows(role, action)) {
      throw new PermissionDeniedError(`This API key's creator (now ${role}) may not ${action}.`, { reason: "key_creator_role", role, requiredAction: action });
    }
  }

  return {
    roleOf,
    requireKeyCreator,
    /** Resolves when `principal` may perform `action` in `workspaceId`; throws otherwise. */
    async require(principal: Principal, workspaceId: string, action: Action): Promise<void> {
      if (principal.kind === "apiKey") {
        if (principal.workspaceId !== workspaceId) throw new NotFoundError("Workspace not found.");
        if (!(principal.scopes as readonly string[]).includes(action)) {
          throw new PermissionDeniedError(`This API key lacks the ${action} scope.`, { requiredScope: action });
        }
        await requireKeyCreator(principal, action);
        return;
      }
      const role = await roleOf(workspaceId, principal.uid);
      if (!role) throw new NotFoundError("Workspace not found.");
      if (!roleAllows(role, action)) {
        throw new PermissionDeniedError(`Your role (${role}) may not ${action}.`, { role, requiredAction: action });
      }
    },
  };
}

export type AccessControl = ReturnType<typeof createAccessControl>;
