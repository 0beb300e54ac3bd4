import { createLocalProvider } from "./local-provider";
import { DEFAULT_PRICING, llmProviderName, parsePricing, selectLlmProvider } from "./openai-params";

describe("LLM provider params", () => {
  it("defaults to the local provider when LLM_PROVIDER is unset", () => {
    expect(llmProviderName("")).toBe("local");
    expect(selectLlmProvider(createLocalProvider, "local").id).toBe("local");
  });

  it("accepts openai-compatible and refuses anything else, naming the setting", () => {
    expect(llmProviderName("openai-compatible")).toBe("openai-compatible");
    expect(() => llmProviderName("anthropic")).toThrow("Invalid LLM_PROVIDER 'anthropic'");
  });

  it("uses the built-in price table unless OPENAI_PRICING_JSON replaces it", () => {
    expect(parsePricing("")).toEqual(DEFAULT_PRICING);
    expect(parsePricing('{"my-model":{"inputPer1k":0.1,"outputPer1k":0.2}}')).toEqual({ "my-model": { inputPer1k: 0.1, outputPer1k: 0.2 } });
  });

  it("fails fast on invalid pricing, naming the setting", () => {
    expect(() => parsePricing("{")).toThrow("Invalid OPENAI_PRICING_JSON");
    expect(() => parsePricing('{"m":{"inputPer1k":-1,"outputPer1k":0}}')).toThrow("Invalid OPENAI_PRICING_JSON: m.inputPer1k");
  });
});
