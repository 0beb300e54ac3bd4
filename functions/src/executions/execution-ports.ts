import type { KnowledgeService } from "../knowledge/knowledge-service";
import type { PromptService } from "../prompts/prompt-service";
import { renderTemplate } from "../prompts/render";
import type { ExecutionServiceDeps } from "./execution-service";

type Domains = { prompts: Pick<PromptService, "resolveVersion">; knowledge: Pick<KnowledgeService, "retrieve"> };

/**
 * The prompt library and knowledge base as the execution service's narrow ports. `domains` is
 * read per call, so the wiring can build the services in any order.
 */
export function executionPorts(domains: () => Domains): Pick<ExecutionServiceDeps, "prompts" | "retriever"> {
  return {
    prompts: {
      resolveVersion: (principal, workspaceId, promptId, selector) => domains().prompts.resolveVersion(principal, workspaceId, promptId, selector),
      render: (version, variables) => renderTemplate(version, variables),
    },
    retriever: {
      retrieve: (principal, workspaceId, request) => domains().knowledge.retrieve(principal, workspaceId, request),
    },
  };
}
