import { z } from "zod";
import { operation } from "../api/operation";
import { ROLES } from "../identity/permissions";
import { requireUser } from "../identity/principal";
import type { WorkspaceService } from "./workspace-service";
import { addMemberInput, createWorkspaceInput, listWorkspacesInput, removeMemberInput, workspaceIdInput } from "./workspace-schemas";

type Deps = { workspaces: WorkspaceService };

export const workspaceView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  plan: z.enum(["free", "pro", "enterprise"]),
  ownerUid: z.string(),
  createdAt: z.string(),
});
const membershipView = z.object({ workspaceId: z.string(), uid: z.string(), role: z.enum(ROLES), addedAt: z.string() });

/** Workspaces and their members. Management is for signed-in users; keys only describe their own workspace. */
export const workspaceOperations = {
  createWorkspace: operation({
    name: "workspaces.create",
    callable: "createWorkspace",
    summary: "Create a workspace owned by the caller.",
    tags: ["workspaces"],
    action: null,
    rateLimit: { policy: "write" },
    input: createWorkspaceInput,
    output: workspaceView,
    run: ({ workspaces }: Deps, principal, input) => workspaces.create(requireUser(principal), input),
  }),
  getWorkspace: operation({
    name: "workspaces.get",
    callable: "getWorkspace",
    summary: "Get a workspace the caller belongs to.",
    tags: ["workspaces"],
    action: "workspace:read",
    rateLimit: { policy: "read" },
    input: workspaceIdInput,
    output: workspaceView,
    run: ({ workspaces }: Deps, principal, input) => workspaces.get(principal, input.workspaceId),
  }),
  describeKeyWorkspace: operation({
    name: "workspaces.describeForKey",
    rest: { method: "GET", path: "/v1/workspace" },
    summary: "Describe the workspace the API key belongs to, with the key's scopes.",
    tags: ["workspaces"],
    // Any valid key may describe its own workspace: no scope is needed for that.
    action: null,
    rateLimit: { policy: "read" },
    input: z.strictObject({}),
    output: z.object({ workspace: workspaceView, scopes: z.array(z.string()) }),
    run: ({ workspaces }: Deps, principal) => workspaces.describeForKey(principal),
  }),
  listWorkspaces: operation({
    name: "workspaces.list",
    callable: "listWorkspaces",
    summary: "List the caller's workspaces with the caller's role in each.",
    tags: ["workspaces"],
    action: null,
    rateLimit: { policy: "read" },
    input: listWorkspacesInput,
    output: z.object({ items: z.array(workspaceView.extend({ role: z.enum(ROLES) })), nextCursor: z.string().nullable() }),
    run: ({ workspaces }: Deps, principal, input) => workspaces.listForUser(requireUser(principal), input.pageSize, input.cursor),
  }),
  listMembers: operation({
    name: "workspaces.listMembers",
    callable: "listMembers",
    summary: "List a workspace's members and their roles.",
    tags: ["workspaces"],
    action: "workspace:read",
    rateLimit: { policy: "read" },
    input: workspaceIdInput,
    output: z.object({ items: z.array(membershipView) }),
    run: async ({ workspaces }: Deps, principal, input) => ({ items: await workspaces.listMembers(principal, input.workspaceId) }),
  }),
  setMember: operation({
    name: "workspaces.setMember",
    callable: "setMember",
    summary: "Add a member or change a member's role (never the owner's).",
    tags: ["workspaces"],
    action: "members:manage",
    rateLimit: { policy: "write" },
    input: addMemberInput,
    output: membershipView,
    run: ({ workspaces }: Deps, principal, input) => workspaces.setMember(principal, input),
  }),
  removeMember: operation({
    name: "workspaces.removeMember",
    callable: "removeMember",
    summary: "Remove a member (never the owner).",
    tags: ["workspaces"],
    action: "members:manage",
    rateLimit: { policy: "write" },
    input: removeMemberInput,
    output: z.object({ removed: z.literal(true) }),
    run: async ({ workspaces }: Deps, principal, input) => {
      await workspaces.removeMember(principal, input.workspaceId, input.uid);
      return { removed: true as const };
    },
  }),
};
