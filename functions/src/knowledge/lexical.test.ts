import { termBudgets } from "./lexical";

describe("termBudgets", () => {
  it("reads every match of the rare terms and shares what is left among the common ones", () => {
    const budgets = termBudgets(new Map([["the-common", 5_000], ["starter", 12], ["feed", 40], ["flour", 900]]), 200);
    expect(Object.fromEntries(budgets)).toEqual({ starter: 12, feed: 40, flour: 74, "the-common": 74 });
  });

  it("never asks for more than the budget, nor more than a term has", () => {
    const budgets = termBudgets(new Map([["a", 1_000], ["b", 1_000], ["c", 1_000]]), 200);
    expect([...budgets.values()].reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(200);
    expect(Object.fromEntries(termBudgets(new Map([["a", 3], ["b", 0]]), 200))).toEqual({ a: 3, b: 0 });
  });
});
