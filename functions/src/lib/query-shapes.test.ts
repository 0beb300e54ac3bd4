import { indexServes, requiredIndexes, type CompositeIndex } from "./query-shapes";

const composite = (collectionGroup: string, fields: CompositeIndex["fields"], queryScope: CompositeIndex["queryScope"] = "COLLECTION"): CompositeIndex => ({ collectionGroup, queryScope, fields });

describe("requiredIndexes", () => {
  it("needs nothing for equality filters alone, or one order field alone (automatic indexes)", () => {
    expect(requiredIndexes({ name: "a", collectionGroup: "keys", equality: ["workspaceId", "revokedAt"] })).toEqual([]);
    expect(requiredIndexes({ name: "b", collectionGroup: "documents", orderBy: [["createdAt", "desc"], ["__name__", "desc"]] })).toEqual([]);
    expect(requiredIndexes({ name: "c", collectionGroup: "labelEvents", optionalEquality: ["label"], orderBy: [["__name__", "desc"]] })).toEqual([]);
  });

  it("needs a composite index for equality plus an order on another field", () => {
    expect(requiredIndexes({ name: "d", collectionGroup: "apiKeys", equality: ["workspaceId"], orderBy: [["createdAt", "desc"]] })).toEqual([
      { kind: "composite", unordered: 1, index: composite("apiKeys", [{ fieldPath: "workspaceId", order: "ASCENDING" }, { fieldPath: "createdAt", order: "DESCENDING" }]) },
    ]);
  });

  it("orders an inequality first and indexes every combination of optional filters", () => {
    const needed = requiredIndexes({ name: "e", collectionGroup: "executions", optionalEquality: ["promptId", "status"], orderBy: [["createdAt", "desc"]] });
    expect(needed.map((r) => (r.kind === "composite" ? r.index.fields.map((f) => f.fieldPath).join(",") : r.fieldPath))).toEqual([
      "promptId,createdAt",
      "status,createdAt",
      "promptId,status,createdAt",
    ]);
    const range = requiredIndexes({ name: "f", collectionGroup: "events", equality: ["published"], range: "occurredAt", orderBy: [["occurredAt", "asc"]] });
    expect(range).toHaveLength(1);
  });

  it("always needs a vector index for findNearest, with its prefilter fields", () => {
    expect(requiredIndexes({ name: "g", collectionGroup: "chunks", optionalEquality: ["documentId"], vector: { field: "embedding", dimension: 256 } })).toEqual([
      { kind: "composite", unordered: 0, index: composite("chunks", [{ fieldPath: "embedding", vectorConfig: { dimension: 256, flat: {} } }]) },
      {
        kind: "composite",
        unordered: 1,
        index: composite("chunks", [{ fieldPath: "documentId", order: "ASCENDING" }, { fieldPath: "embedding", vectorConfig: { dimension: 256, flat: {} } }]),
      },
    ]);
  });

  it("asks a collection-group query on one field for that field's collection-group index", () => {
    expect(requiredIndexes({ name: "h", collectionGroup: "members", scope: "COLLECTION_GROUP", equality: ["uid"] })).toEqual([{ kind: "collection-group-field", collectionGroup: "members", fieldPath: "uid" }]);
  });
});

describe("indexServes", () => {
  const [need] = requiredIndexes({ name: "i", collectionGroup: "events", equality: ["workspaceId", "published"], orderBy: [["occurredAt", "asc"], ["__name__", "asc"]] });
  const required = need?.kind === "composite" ? need : undefined;

  it("accepts the equality fields in any order and an implicit trailing __name__", () => {
    const declared = composite("events", [
      { fieldPath: "published", order: "ASCENDING" },
      { fieldPath: "workspaceId", order: "ASCENDING" },
      { fieldPath: "occurredAt", order: "ASCENDING" },
      { fieldPath: "__name__", order: "ASCENDING" },
    ]);
    expect(required && indexServes(declared, required.index, required.unordered)).toBe(true);
  });

  it("refuses another direction, another collection or scope", () => {
    const wrongDirection = composite("events", [
      { fieldPath: "workspaceId", order: "ASCENDING" },
      { fieldPath: "published", order: "ASCENDING" },
      { fieldPath: "occurredAt", order: "DESCENDING" },
    ]);
    expect(required && indexServes(wrongDirection, required.index, required.unordered)).toBe(false);
    expect(required && indexServes({ ...required.index, collectionGroup: "other" }, required.index, required.unordered)).toBe(false);
    expect(required && indexServes({ ...required.index, queryScope: "COLLECTION_GROUP" }, required.index, required.unordered)).toBe(false);
  });
});
