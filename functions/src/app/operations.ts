import type { Operation } from "../api/operation";
import { restRoute, type RestRoute } from "../api/rest-route";
import { apiKeyOperations } from "../api-keys/api-key-operations";
import { executionOperations } from "../executions/execution-operations";
import { knowledgeOperations } from "../knowledge/knowledge-operations";
import { promptOperations } from "../prompts/prompt-operations";
import { webhookOperations } from "../webhooks/webhook-operations";
import { workspaceOperations } from "../workspaces/workspace-operations";
import { complianceOperations } from "../compliance/compliance-operations";
import type { Services } from "./root";

/** Every operation of the product, in the order the OpenAPI document lists them. Add a domain's here. */
export const operations: ReadonlyArray<Operation<Services>> = [
  ...Object.values(workspaceOperations),
  ...Object.values(apiKeyOperations),
  ...Object.values(promptOperations),
  ...Object.values(knowledgeOperations),
  ...Object.values(executionOperations),
  ...Object.values(webhookOperations),
  ...Object.values(complianceOperations),
];

/** The REST API: every operation with a REST binding. */
export function restRoutes(): RestRoute[] {
  return operations.filter((op) => op.rest).map((op) => restRoute(op));
}
