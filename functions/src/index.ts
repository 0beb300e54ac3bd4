export { health } from "./health/health-endpoint";
export { createWorkspace } from "./workspaces/workspace-callables";
