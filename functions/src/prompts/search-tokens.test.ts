import { ValidationError } from "../lib/errors";
import { MAX_SEARCH_TOKENS, searchQueryWords, searchTokens } from "./search-tokens";

describe("search tokens", () => {
  it("indexes name and tag words by prefix and description words whole", () => {
    const tokens = searchTokens({ name: "Customer Support", description: "Answers refunds", tags: ["billing"] });

    expect(tokens).toEqual(expect.arrayContaining(["c", "cu", "cust", "customer", "s", "support", "b", "bill", "billing", "answers", "refunds"]));
    expect(tokens).not.toContain("refu");
  });

  it("lowercases and strips diacritics", () => {
    expect(searchTokens({ name: "Résumé Écrit", description: "", tags: [] })).toEqual(expect.arrayContaining(["resume", "ecrit"]));
  });

  it("caps words at 20 characters and tokens at the maximum", () => {
    const long = "a".repeat(30);
    expect(searchTokens({ name: long, description: "", tags: [] })).toHaveLength(20);
    const description = Array.from({ length: 1500 }, (_, i) => `word${i}`).join(" ");
    expect(searchTokens({ name: "n", description, tags: [] })).toHaveLength(MAX_SEARCH_TOKENS);
  });

  it("queries the longest word and checks the others in memory", () => {
    expect(searchQueryWords("  Cust  SUPPORT cust ")).toEqual({ primary: "support", others: ["cust"] });
  });

  it("refuses a search without letters or digits, or with too many words", () => {
    expect(() => searchQueryWords(" -- ")).toThrow(ValidationError);
    expect(() => searchQueryWords("a b c d e f g h i")).toThrow(/at most 8 words/);
  });
});
