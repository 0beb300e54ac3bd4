import { onCall } from "firebase-functions/v2/https";
import { callableOptions } from "../app/function-options";
import { services } from "../app/services";
import { callableHandler } from "../app/rate-limit";
import { addMemberInput, createWorkspaceInput, listWorkspacesInput, removeMemberInput, workspaceIdInput } from "./workspace-schemas";

export const createWorkspaceHandler = callableHandler({
  name: "workspaces.create",
  rateLimit: { policy: "write" },
  input: createWorkspaceInput,
  handle: (input, caller) => services().workspaces.create(caller.uid, input),
});

export const getWorkspaceHandler = callableHandler({
  name: "workspaces.get",
  rateLimit: { policy: "read" },
  input: workspaceIdInput,
  handle: (input, caller) => services().workspaces.get({ kind: "user", uid: caller.uid }, input.workspaceId),
});

export const listWorkspacesHandler = callableHandler({
  name: "workspaces.list",
  rateLimit: { policy: "read" },
  input: listWorkspacesInput,
  handle: (input, caller) => services().workspaces.listForUser(caller.uid, input.pageSize, input.cursor),
});

export const listMembersHandler = callableHandler({
  name: "workspaces.listMembers",
  rateLimit: { policy: "read" },
  input: workspaceIdInput,
  handle: async (input, caller) => ({ items: await services().workspaces.listMembers({ kind: "user", uid: caller.uid }, input.workspaceId) }),
});

export const setMemberHandler = callableHandler({
  name: "workspaces.setMember",
  rateLimit: { policy: "write" },
  input: addMemberInput,
  handle: (input, caller) => services().workspaces.setMember({ kind: "user", uid: caller.uid }, input),
});

export const removeMemberHandler = callableHandler({
  name: "workspaces.removeMember",
  rateLimit: { policy: "write" },
  input: removeMemberInput,
  handle: async (input, caller) => {
    await services().workspaces.removeMember({ kind: "user", uid: caller.uid }, input.workspaceId, input.uid);
    return { removed: true };
  },
});

export const createWorkspace = onCall(callableOptions, createWorkspaceHandler);
export const getWorkspace = onCall(callableOptions, getWorkspaceHandler);
export const listWorkspaces = onCall(callableOptions, listWorkspacesHandler);
export const listMembers = onCall(callableOptions, listMembersHandler);
export const setMember = onCall(callableOptions, setMemberHandler);
export const removeMember = onCall(callableOptions, removeMemberHandler);
