import * as deployed from "../index";
import { invokeOperation } from "../api/operation";
import { DEFAULT_MAX_INPUT_BYTES } from "../lib/validation";
import { operations, restRoutes } from "./operations";

type Endpoint = { __endpoint?: { callableTrigger?: unknown; httpsTrigger?: unknown } };
const endpointOf = (name: string): Endpoint["__endpoint"] => (deployed as Record<string, Endpoint | undefined>)[name]?.__endpoint;

describe("the operations and what is deployed", () => {
  it("deploys every operation that has a callable name as a callable of that name", () => {
    const missing = operations.filter((op) => op.callable && !endpointOf(op.callable)?.callableTrigger).map((op) => op.callable);
    expect(missing).toEqual([]);
  });

  it("deploys no callable that is not an operation, except verifyChallenge", () => {
    const callables = Object.keys(deployed).filter((name) => endpointOf(name)?.callableTrigger);
    const declared = new Set(operations.map((op) => op.callable));
    expect(callables.filter((name) => !declared.has(name))).toEqual(["verifyChallenge"]);
  });

  it("gives every operation a unique name and every REST route a unique method and path", () => {
    expect(new Set(operations.map((op) => op.name)).size).toBe(operations.length);
    const routes = restRoutes().map((route) => `${route.method} ${route.path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it("declares an action for every operation that touches a workspace", () => {
    const unguarded = operations.filter((op) => !op.action).map((op) => op.name);
    // The compliance operations act on the caller's own person (consents, export, erasure), never on a workspace.
    expect(unguarded.sort()).toEqual(["compliance.getConsents", "compliance.getDataRequest", "compliance.requestDataExport", "compliance.requestErasure", "compliance.setConsent", "workspaces.create", "workspaces.describeForKey", "workspaces.list"]);
  });

  it("refuses input over each operation's byte limit before parsing it, whatever the operation", async () => {
    for (const op of operations) {
      const limit = op.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
      const run = jest.fn();
      const oversized = { workspaceId: "w", padding: "x".repeat(limit) };
      await expect(invokeOperation({ ...op, run }, {} as never, { kind: "user", uid: "u" }, oversized)).rejects.toMatchObject({ code: "payload-too-large" });
      expect(run).not.toHaveBeenCalled();
    }
  });
});
