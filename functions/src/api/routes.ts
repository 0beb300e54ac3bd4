import type { RouteDefinition } from "./route";
import { executionRoutes } from "../executions/execution-routes";
import { workspaceRoutes } from "../workspaces/workspace-routes";
import { promptRoutes } from "../prompts/prompt-routes";
import { knowledgeRoutes } from "../knowledge/knowledge-routes";

/** Every REST route, in the order the OpenAPI document lists them. Add a domain's routes here. */
export function restRoutes(): RouteDefinition[] {
  return [...workspaceRoutes, ...promptRoutes, ...knowledgeRoutes, ...executionRoutes];
}
