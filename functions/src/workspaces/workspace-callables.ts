import { onCall } from "firebase-functions/v2/https";
import { callableOptions } from "../app/function-options";
import { services } from "../app/services";
import { callableHandler } from "../lib/callable";
import { createWorkspaceInput } from "./workspace-schemas";

export const createWorkspaceHandler = callableHandler({
  name: "workspaces.create",
  input: createWorkspaceInput,
  handle: (input, caller) => services().workspaces.create(caller.uid, input),
});

export const createWorkspace = onCall(callableOptions, createWorkspaceHandler);
