import { ValidationError } from "../lib/errors";
import { parseInput } from "../lib/validation";
import { promptRoutes } from "./prompt-routes";

const find = (method: string, suffix: string) => {
  const found = promptRoutes.find((r) => r.method === method && r.path === `/v1/workspaces/{workspaceId}/prompts${suffix}`);
  if (!found) throw new Error(`no route ${method} ${suffix}`);
  return found;
};

describe("prompt REST routes", () => {
  it("declare a scope matching their method: reads need prompts:read, changes prompts:write", () => {
    for (const r of promptRoutes) {
      const isRead = r.method === "GET" || r.path.endsWith("/render");
      expect([r.path, r.scope, r.rateLimit.policy]).toEqual([r.path, isRead ? "prompts:read" : "prompts:write", isRead ? "read" : "write"]);
    }
  });

  it("resolve a version reference as a number, 'latest' or a label", () => {
    const params = find("GET", "/{promptId}/versions/{ref}").params;
    if (!params) throw new Error("params expected");
    const ref = (value: string) => (parseInput(params, { workspaceId: "w", promptId: "p", ref: value }) as { ref: unknown }).ref;

    expect(ref("3")).toEqual({ version: 3 });
    expect(ref("latest")).toEqual({});
    expect(ref("production")).toEqual({ label: "production" });
    expect(() => ref("Not A Label")).toThrow(ValidationError);
  });

  it("read page sizes and booleans from query text, rejecting unknown parameters", () => {
    const query = find("GET", "").query;
    if (!query) throw new Error("query expected");

    expect(parseInput(query, { pageSize: "5", archived: "true", tag: "Support" })).toEqual({ pageSize: 5, archived: true, tag: "support" });
    expect(() => parseInput(query, { pageSize: "500" })).toThrow(ValidationError);
    expect(() => parseInput(query, { archived: "yes" })).toThrow(ValidationError);
    expect(() => parseInput(query, { owner: "x" })).toThrow(ValidationError);
  });
});
