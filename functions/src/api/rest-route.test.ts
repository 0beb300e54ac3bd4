import { ValidationError } from "../lib/errors";
import { parseInput } from "../lib/validation";
import { promptOperations } from "../prompts/prompt-operations";
import { restInput, restRoute } from "./rest-route";

/** The raw REST input of a prompt operation, parsed once with the operation's schema. */
function parsed(op: keyof typeof promptOperations, raw: { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown }) {
  const route = restRoute(promptOperations[op]);
  const input = restInput(route, { params: { workspaceId: "w", promptId: "p", ...raw.params }, query: raw.query ?? {}, body: raw.body });
  return parseInput(route.operation.input, input);
}

describe("REST routes derived from operations", () => {
  it("put path parameters and, for GET, every other field in the query; for other methods in the body", () => {
    expect(restRoute(promptOperations.listPrompts)).toMatchObject({ pathNames: ["workspaceId"], queryNames: ["tag", "search", "archived", "pageSize", "cursor"], hasBody: false });
    expect(restRoute(promptOperations.setPromptLabel)).toMatchObject({ pathNames: ["workspaceId", "promptId", "label"], queryNames: [], hasBody: true });
  });

  it("resolve a version reference in the path as a number, 'latest' or a label", () => {
    const ref = (value: string) => parsed("getPromptVersion", { params: { ref: value } });

    expect(ref("3")).toEqual({ workspaceId: "w", promptId: "p", version: 3 });
    expect(ref("latest")).toEqual({ workspaceId: "w", promptId: "p" });
    expect(ref("production")).toEqual({ workspaceId: "w", promptId: "p", label: "production" });
    expect(() => ref("Not A Label")).toThrow(ValidationError);
  });

  it("read page sizes and booleans from query text, rejecting bad values and unknown parameters", () => {
    expect(parsed("listPrompts", { query: { pageSize: "5", archived: "true", tag: "Support" } })).toEqual({ workspaceId: "w", pageSize: 5, archived: true, tag: "support" });
    expect(() => parsed("listPrompts", { query: { pageSize: "500" } })).toThrow(ValidationError);
    expect(() => parsed("listPrompts", { query: { archived: "yes" } })).toThrow(ValidationError);
    expect(() => parsed("listPrompts", { query: { owner: "x" } })).toThrow(ValidationError);
  });

  it("keep the path's value when the body repeats a path field, and refuse unknown body fields", () => {
    expect(parsed("setPromptLabel", { params: { label: "prod" }, body: { version: 2, label: "other" } })).toEqual({ workspaceId: "w", promptId: "p", label: "prod", version: 2 });
    expect(() => parsed("setPromptLabel", { params: { label: "prod" }, body: { version: 2, extra: true } })).toThrow(ValidationError);
    expect(() => parsed("setPromptLabel", { params: { label: "prod" }, body: [1] })).toThrow(ValidationError);
  });

  it("read diff endpoints from query references", () => {
    expect(parsed("diffPromptVersions", { query: { from: "1", to: "production" } })).toEqual({ workspaceId: "w", promptId: "p", from: { version: 1 }, to: { label: "production" } });
  });
});
