import { createLocalProvider } from "../providers/local-provider";
import { selectLlmProvider } from "../providers/openai-params";
import type { LlmProvider } from "../providers/provider-types";

let provider: LlmProvider | undefined;

/**
 * The LLM provider of this instance, built once. `local` (deterministic, no network) is the
 * default and what the emulator runs; other providers are selected here by a param.
 */
export function llmProvider(): LlmProvider {
  if (!provider) provider = selectLlmProvider(createLocalProvider);
  return provider;
}

/** For tests and scripts that hand in their own provider. */
export function overrideLlmProvider(next: LlmProvider | undefined): void {
  provider = next;
}
