import { onCall } from "firebase-functions/v2/https";
import { callableOptions } from "../app/function-options";
import { services } from "../app/services";
import type { Principal } from "../identity/principal";
import { callableHandler, type Caller } from "../lib/callable";
import {
  createPromptInput,
  createVersionInput,
  deleteLabelInput,
  diffVersionsInput,
  getVersionInput,
  listLabelHistoryInput,
  listPromptsInput,
  listVersionsInput,
  promptIdInput,
  renderPromptInput,
  setLabelInput,
  updatePromptMetadataInput,
} from "./prompt-schemas";

const user = (caller: Caller): Principal => ({ kind: "user", uid: caller.uid });
const prompts = () => services().prompts;

export const createPromptHandler = callableHandler({
  name: "prompts.create",
  rateLimit: { policy: "write" },
  input: createPromptInput,
  handle: ({ workspaceId, ...body }, caller) => prompts().createPrompt(user(caller), workspaceId, body),
});

export const getPromptHandler = callableHandler({
  name: "prompts.get",
  rateLimit: { policy: "read" },
  input: promptIdInput,
  handle: ({ workspaceId, promptId }, caller) => prompts().getPrompt(user(caller), workspaceId, promptId),
});

export const listPromptsHandler = callableHandler({
  name: "prompts.list",
  rateLimit: { policy: "read" },
  input: listPromptsInput,
  handle: ({ workspaceId, ...options }, caller) => prompts().listPrompts(user(caller), workspaceId, options),
});

export const updatePromptMetadataHandler = callableHandler({
  name: "prompts.updateMetadata",
  rateLimit: { policy: "write" },
  input: updatePromptMetadataInput,
  handle: ({ workspaceId, promptId, ...body }, caller) => prompts().updatePromptMetadata(user(caller), workspaceId, promptId, body),
});

export const createPromptVersionHandler = callableHandler({
  name: "prompts.createVersion",
  rateLimit: { policy: "write" },
  input: createVersionInput,
  handle: ({ workspaceId, promptId, ...body }, caller) => prompts().createVersion(user(caller), workspaceId, promptId, body),
});

export const getPromptVersionHandler = callableHandler({
  name: "prompts.getVersion",
  rateLimit: { policy: "read" },
  input: getVersionInput,
  handle: ({ workspaceId, promptId, ...selector }, caller) => prompts().getVersion(user(caller), workspaceId, promptId, selector),
});

export const listPromptVersionsHandler = callableHandler({
  name: "prompts.listVersions",
  rateLimit: { policy: "read" },
  input: listVersionsInput,
  handle: ({ workspaceId, promptId, ...options }, caller) => prompts().listVersions(user(caller), workspaceId, promptId, options),
});

export const setPromptLabelHandler = callableHandler({
  name: "prompts.setLabel",
  rateLimit: { policy: "write" },
  input: setLabelInput,
  handle: ({ workspaceId, promptId, label, version }, caller) => prompts().setLabel(user(caller), workspaceId, promptId, label, version),
});

export const deletePromptLabelHandler = callableHandler({
  name: "prompts.deleteLabel",
  rateLimit: { policy: "write" },
  input: deleteLabelInput,
  handle: ({ workspaceId, promptId, label }, caller) => prompts().deleteLabel(user(caller), workspaceId, promptId, label),
});

export const listPromptLabelHistoryHandler = callableHandler({
  name: "prompts.listLabelHistory",
  rateLimit: { policy: "read" },
  input: listLabelHistoryInput,
  handle: ({ workspaceId, promptId, ...options }, caller) => prompts().listLabelHistory(user(caller), workspaceId, promptId, options),
});

export const diffPromptVersionsHandler = callableHandler({
  name: "prompts.diffVersions",
  rateLimit: { policy: "read" },
  input: diffVersionsInput,
  handle: ({ workspaceId, promptId, from, to }, caller) => prompts().diffVersions(user(caller), workspaceId, promptId, from, to),
});

export const renderPromptHandler = callableHandler({
  name: "prompts.render",
  rateLimit: { policy: "read" },
  input: renderPromptInput,
  handle: ({ workspaceId, promptId, variables, ...selector }, caller) => prompts().renderPrompt(user(caller), workspaceId, promptId, selector, variables),
});

export const archivePromptHandler = callableHandler({
  name: "prompts.archive",
  rateLimit: { policy: "write" },
  input: promptIdInput,
  handle: ({ workspaceId, promptId }, caller) => prompts().archivePrompt(user(caller), workspaceId, promptId),
});

export const unarchivePromptHandler = callableHandler({
  name: "prompts.unarchive",
  rateLimit: { policy: "write" },
  input: promptIdInput,
  handle: ({ workspaceId, promptId }, caller) => prompts().unarchivePrompt(user(caller), workspaceId, promptId),
});

export const deletePromptHandler = callableHandler({
  name: "prompts.delete",
  rateLimit: { policy: "write" },
  input: promptIdInput,
  handle: ({ workspaceId, promptId }, caller) => prompts().deletePrompt(user(caller), workspaceId, promptId),
});

export const createPrompt = onCall(callableOptions, createPromptHandler);
export const getPrompt = onCall(callableOptions, getPromptHandler);
export const listPrompts = onCall(callableOptions, listPromptsHandler);
export const updatePromptMetadata = onCall(callableOptions, updatePromptMetadataHandler);
export const createPromptVersion = onCall(callableOptions, createPromptVersionHandler);
export const getPromptVersion = onCall(callableOptions, getPromptVersionHandler);
export const listPromptVersions = onCall(callableOptions, listPromptVersionsHandler);
export const setPromptLabel = onCall(callableOptions, setPromptLabelHandler);
export const deletePromptLabel = onCall(callableOptions, deletePromptLabelHandler);
export const listPromptLabelHistory = onCall(callableOptions, listPromptLabelHistoryHandler);
export const diffPromptVersions = onCall(callableOptions, diffPromptVersionsHandler);
export const renderPrompt = onCall(callableOptions, renderPromptHandler);
export const archivePrompt = onCall(callableOptions, archivePromptHandler);
export const unarchivePrompt = onCall(callableOptions, unarchivePromptHandler);
export const deletePrompt = onCall(callableOptions, deletePromptHandler);
