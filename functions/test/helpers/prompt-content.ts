import type { z } from "zod";
import type { Principal } from "../../src/identity/principal";
import { createPromptBody, createVersionBody } from "../../src/prompts/prompt-schemas";
import type { PromptService } from "../../src/prompts/prompt-service";
import { parseInput } from "../../src/lib/validation";

/**
 * The prompt service taking content as clients send it (variables without their defaults filled
 * in), parsed with the same schemas as the operations' edge. Services take parsed input; tests
 * that write prompts by hand go through this, as a client's request would.
 */
export function withRawContent(prompts: PromptService) {
  return {
    ...prompts,
    createPrompt: async (principal: Principal, workspaceId: string, body: z.input<typeof createPromptBody>) => prompts.createPrompt(principal, workspaceId, parseInput(createPromptBody, body)),
    createVersion: async (principal: Principal, workspaceId: string, promptId: string, body: z.input<typeof createVersionBody>) =>
      prompts.createVersion(principal, workspaceId, promptId, parseInput(createVersionBody, body)),
  };
}
