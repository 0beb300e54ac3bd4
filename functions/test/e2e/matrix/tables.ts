import type { Fixture } from "./fixtures";

/**
 * Every callable but `verifyChallenge`: a minimal valid input, a required field, whether it
 * writes, and whether even reading needs an admin (`webhooks:manage`: a viewer is refused).
 */
export type Case = { name: string; input: (f: Fixture) => Record<string, unknown>; field?: string; write?: boolean; admin?: boolean };

export const ids = (f: Fixture) => ({ workspaceId: f.workspaceId, promptId: f.promptId });
export const callables: Case[] = [
  { name: "createWorkspace", input: () => ({ name: "Bad input" }), field: "name", write: true },
  { name: "getWorkspace", input: (f) => ({ workspaceId: f.workspaceId }), field: "workspaceId" },
  { name: "listWorkspaces", input: () => ({ pageSize: 10 }) },
  { name: "listMembers", input: (f) => ({ workspaceId: f.workspaceId }), field: "workspaceId" },
  { name: "setMember", input: (f) => ({ workspaceId: f.workspaceId, uid: "someone-else", role: "viewer" }), field: "role", write: true },
  { name: "removeMember", input: (f) => ({ workspaceId: f.workspaceId, uid: "someone-else" }), field: "uid", write: true },
  { name: "createApiKey", input: (f) => ({ workspaceId: f.workspaceId, name: "k", scopes: ["prompts:read"] }), field: "scopes", write: true },
  { name: "listApiKeys", input: (f) => ({ workspaceId: f.workspaceId }), field: "workspaceId" },
  { name: "revokeApiKey", input: (f) => ({ workspaceId: f.workspaceId, keyId: f.keyId }), field: "keyId", write: true },
  { name: "createPrompt", input: (f) => ({ workspaceId: f.workspaceId, name: "P", template: "Hi" }), field: "template", write: true },
  { name: "getPrompt", input: ids, field: "promptId" },
  { name: "listPrompts", input: (f) => ({ workspaceId: f.workspaceId }), field: "workspaceId" },
  { name: "updatePromptMetadata", input: (f) => ({ ...ids(f), description: "d" }), field: "promptId", write: true },
  { name: "createPromptVersion", input: (f) => ({ ...ids(f), template: "Yo" }), field: "template", write: true },
  { name: "getPromptVersion", input: (f) => ({ ...ids(f), version: 1 }), field: "promptId" },
  { name: "listPromptVersions", input: ids, field: "promptId" },
  { name: "setPromptLabel", input: (f) => ({ ...ids(f), label: "staging", version: 1 }), field: "version", write: true },
  { name: "deletePromptLabel", input: (f) => ({ ...ids(f), label: "production" }), field: "label", write: true },
  { name: "listPromptLabelHistory", input: ids, field: "promptId" },
  { name: "diffPromptVersions", input: (f) => ({ ...ids(f), from: { version: 1 }, to: { version: 2 } }), field: "from" },
  { name: "renderPrompt", input: (f) => ({ ...ids(f), version: 1, variables: { name: "Ada" } }), field: "promptId" },
  { name: "archivePrompt", input: ids, field: "promptId", write: true },
  { name: "unarchivePrompt", input: ids, field: "promptId", write: true },
  { name: "deletePrompt", input: ids, field: "promptId", write: true },
  { name: "createDocument", input: (f) => ({ workspaceId: f.workspaceId, title: "T", text: "x" }), field: "title", write: true },
  { name: "createDocumentUpload", input: (f) => ({ workspaceId: f.workspaceId, title: "T", filename: "a.md", contentType: "text/markdown" }), field: "filename", write: true },
  { name: "getDocument", input: (f) => ({ workspaceId: f.workspaceId, documentId: f.documentId }), field: "documentId" },
  { name: "listDocuments", input: (f) => ({ workspaceId: f.workspaceId }), field: "workspaceId" },
  { name: "reingestDocument", input: (f) => ({ workspaceId: f.workspaceId, documentId: f.documentId }), field: "documentId", write: true },
  { name: "deleteDocument", input: (f) => ({ workspaceId: f.workspaceId, documentId: f.documentId }), field: "documentId", write: true },
  { name: "searchDocuments", input: (f) => ({ workspaceId: f.workspaceId, query: "parking" }), field: "query" },
  { name: "runExecution", input: (f) => ({ workspaceId: f.workspaceId, promptId: f.promptId, variables: { name: "Ada" } }), field: "promptId", write: true },
  { name: "getExecution", input: (f) => ({ workspaceId: f.workspaceId, executionId: f.executionId }), field: "executionId" },
  { name: "listExecutions", input: (f) => ({ workspaceId: f.workspaceId }), field: "workspaceId" },
  ...webhookCases(),
  { name: "getConsents", input: () => ({}) },
  { name: "setConsent", input: () => ({ purpose: "product-emails", granted: false, policyVersion: "2026-01" }), field: "purpose", write: true },
  { name: "requestDataExport", input: () => ({}) },
  { name: "requestErasure", input: () => ({ confirm: "ERASE MY DATA" }), field: "confirm", write: true },
  { name: "getDataRequest", input: () => ({ requestId: "no-such-request" }), field: "requestId" },
  { name: "deleteWorkspace", input: (f) => ({ workspaceId: f.workspaceId }), field: "workspaceId", write: true },
  { name: "restoreWorkspace", input: (f) => ({ workspaceId: f.workspaceId }), field: "workspaceId", write: true },
];

function webhookCases(): Case[] {
  const endpoint = (f: Fixture) => ({ workspaceId: f.workspaceId, endpointId: f.endpointId });
  const delivery = (f: Fixture) => ({ workspaceId: f.workspaceId, deliveryId: f.deliveryId });
  const cases: Case[] = [
    { name: "createWebhookEndpoint", input: (f) => ({ workspaceId: f.workspaceId, url: "https://hooks.example.com/in", eventTypes: ["execution.completed"] }), field: "url", write: true },
    { name: "listWebhookEndpoints", input: (f) => ({ workspaceId: f.workspaceId }), field: "workspaceId" },
    { name: "getWebhookEndpoint", input: endpoint, field: "endpointId" },
    { name: "updateWebhookEndpoint", input: (f) => ({ ...endpoint(f), description: "d" }), field: "endpointId", write: true },
    { name: "rotateWebhookSecret", input: endpoint, field: "endpointId", write: true },
    { name: "revokeOldWebhookSecrets", input: endpoint, field: "endpointId", write: true },
    { name: "enableWebhookEndpoint", input: endpoint, field: "endpointId", write: true },
    { name: "disableWebhookEndpoint", input: endpoint, field: "endpointId", write: true },
    { name: "deleteWebhookEndpoint", input: endpoint, field: "endpointId", write: true },
    { name: "sendWebhookTest", input: endpoint, field: "endpointId", write: true },
    { name: "listWebhookDeliveries", input: endpoint, field: "endpointId" },
    { name: "getWebhookDelivery", input: delivery, field: "deliveryId" },
    { name: "replayWebhookDelivery", input: delivery, field: "deliveryId", write: true },
    { name: "recoverWebhookDeliveries", input: (f) => ({ workspaceId: f.workspaceId, since: "2024-01-01T00:00:00Z" }), field: "since", write: true },
    { name: "getWebhookRecovery", input: (f) => ({ workspaceId: f.workspaceId, jobId: f.recoveryId }), field: "jobId" },
    { name: "getWebhookStats", input: (f) => ({ workspaceId: f.workspaceId }), field: "workspaceId" },
  ];
  return cases.map((c) => ({ ...c, admin: true }));
}

/** Every REST route of docs/openapi.json but `GET /v1/workspace` (no params, no body). */
export type Route = { method: string; path: (f: Fixture) => string; body?: Record<string, unknown>; field?: string; queryField?: string };

export const routes: Route[] = [
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts`, body: { name: "P", template: "Hi" }, field: "template" },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts`, queryField: "pageSize" },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts/${f.promptId}` },
  { method: "PATCH", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts/${f.promptId}`, body: { description: "d" }, field: "description" },
  { method: "DELETE", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts/${f.promptId}` },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts/${f.promptId}/archive` },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts/${f.promptId}/unarchive` },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts/${f.promptId}/versions`, body: { template: "Yo" }, field: "template" },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts/${f.promptId}/versions`, queryField: "pageSize" },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts/${f.promptId}/versions/1` },
  { method: "PUT", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts/${f.promptId}/labels/staging`, body: { version: 1 }, field: "version" },
  { method: "DELETE", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts/${f.promptId}/labels/production` },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts/${f.promptId}/label-history`, queryField: "pageSize" },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts/${f.promptId}/diff?from=1&to=2` },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/prompts/${f.promptId}/render`, body: { version: 1, variables: { name: "Ada" } }, field: "variables" },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/documents`, body: { title: "T", text: "x" }, field: "title" },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/documents`, queryField: "pageSize" },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/documents/uploads`, body: { title: "T", filename: "a.md", contentType: "text/markdown" }, field: "filename" },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/documents/${f.documentId}` },
  { method: "DELETE", path: (f) => `/v1/workspaces/${f.workspaceId}/documents/${f.documentId}` },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/documents/${f.documentId}/reingest`, body: { text: "new" }, field: "text" },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/search`, body: { query: "parking" }, field: "query" },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/executions`, body: { promptId: "p", variables: {} }, field: "promptId" },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/executions`, queryField: "pageSize" },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/executions/${f.executionId}` },
  // Webhooks: no API key may hold webhooks:manage, so valid requests with a key answer 403.
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/endpoints`, body: { url: "https://hooks.example.com/in", eventTypes: ["execution.completed"] }, field: "url" },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/endpoints` },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/endpoints/${f.endpointId}` },
  { method: "PATCH", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/endpoints/${f.endpointId}`, body: { description: "d" }, field: "description" },
  { method: "DELETE", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/endpoints/${f.endpointId}` },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/endpoints/${f.endpointId}/rotate-secret`, body: { graceSeconds: 60 }, field: "graceSeconds" },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/endpoints/${f.endpointId}/revoke-old-secrets` },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/endpoints/${f.endpointId}/enable` },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/endpoints/${f.endpointId}/disable` },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/endpoints/${f.endpointId}/test` },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/endpoints/${f.endpointId}/deliveries`, queryField: "limit" },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/deliveries/${f.deliveryId}` },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/deliveries/${f.deliveryId}/replay` },
  { method: "POST", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/recoveries`, body: { since: "2024-01-01T00:00:00Z" }, field: "since" },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/recoveries/${f.recoveryId}` },
  { method: "GET", path: (f) => `/v1/workspaces/${f.workspaceId}/webhooks/stats`, queryField: "days" },
];
