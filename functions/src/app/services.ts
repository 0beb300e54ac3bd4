import { createApiKeyService, type ApiKeyService } from "../api-keys/api-key-service";
import { createHealthCheck, type HealthCheck } from "../health/health-check";
import { createAccessControl, type AccessControl } from "../identity/access-control";
import { systemClock } from "../lib/clock";
import { createPromptService, type PromptService } from "../prompts/prompt-service";
import { createKnowledgeService, type KnowledgeService } from "../knowledge/knowledge-service";
import { pdfText } from "../knowledge/pdf-text";
import { createWorkspaceService, type WorkspaceService } from "../workspaces/workspace-service";
import { createExecutionService, type ExecutionService } from "../executions/execution-service";
import { executionPorts } from "../executions/execution-ports";
import { cache } from "./cache";
import { firestore, redis, storage } from "./clients";
import { llmProvider } from "./providers";
import { runtimeEnv } from "../lib/config";

/** The domain services wired to the real clients, built once per instance on first use. */
export type Services = {
  access: AccessControl;
  workspaces: WorkspaceService;
  apiKeys: ApiKeyService;
  health: HealthCheck;
  prompts: PromptService;
  knowledge: KnowledgeService;
  executions: ExecutionService;
};

let built: Services | undefined;

export function services(): Services {
  if (!built) {
    const db = firestore();
    const clock = systemClock;
    const access = createAccessControl({ db, cache: cache() });
    built = {
      access,
      workspaces: createWorkspaceService({ db, clock, access, cache: cache() }),
      apiKeys: createApiKeyService({ db, clock, access, cache: cache() }),
      health: createHealthCheck({ db, redis: redis(), clock }),
      prompts: createPromptService({ db, clock, access, cache: cache() }),
      knowledge: createKnowledgeService({ db, clock, access, provider: llmProvider(), bucket: storage, signUploads: runtimeEnv().FUNCTIONS_EMULATOR !== "true", pdf: pdfText }),
      executions: createExecutionService({ db, clock, access, provider: llmProvider, ...executionPorts(() => services()) }),
    };
  }
  return built;
}

/** Tests swap in services wired to their own clients. */
export function overrideServices(next: Services | undefined): void {
  built = next;
}
