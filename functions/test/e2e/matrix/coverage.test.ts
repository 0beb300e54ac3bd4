import { operations, restRoutes } from "../../../src/app/operations";
import type { Fixture } from "./fixtures";
import { callables, routes } from "./tables";

/** The matrix tables are written by hand; these keep them in step with the operations. */
describe("the e2e matrix covers every operation", () => {
  it("has a case for every callable operation", () => {
    const declared = operations.flatMap((op) => (op.callable ? [op.callable] : [])).sort();
    expect(callables.map((c) => c.name).sort()).toEqual(declared);
  });

  it("has a route for every REST route with parameters", () => {
    const placeholders = { workspaceId: "{workspaceId}", promptId: "{promptId}", documentId: "{documentId}", executionId: "{executionId}", endpointId: "{endpointId}", deliveryId: "{deliveryId}", recoveryId: "{jobId}" } as Fixture;
    const tabled = routes.map((r) => `${r.method} ${r.path(placeholders).split("?")[0]!.replace(/\/versions\/1$/, "/versions/{ref}").replace(/\/labels\/(staging|production)$/, "/labels/{label}")}`);
    const declared = restRoutes().filter((r) => r.pathNames.length > 0).map((r) => `${r.method} ${r.path}`);
    expect([...new Set(tabled)].sort()).toEqual(declared.sort());
  });
});
