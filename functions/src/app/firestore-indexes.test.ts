import fs from "node:fs";
import path from "node:path";
import { indexServes, registeredQueryShapes, requiredIndexes, type IndexFile, type IndexRequirement } from "../lib/query-shapes";
// Every deployed function's modules, so every query shape they declare is registered.
import "../index";

/**
 * Composite indexes are written by hand in firestore.indexes.json and the local Firestore server
 * does not enforce them, so a missing one would first show as a failed query in production.
 * Each query declares its shape beside it (`queryShape`) and runs through `runQuery`; this test
 * derives the indexes each shape needs and proves firestore.indexes.json has them.
 */
const ROOT = path.resolve(__dirname, "..", "..", "..");
const SRC = path.resolve(__dirname, "..");
const indexFile = JSON.parse(fs.readFileSync(path.join(ROOT, "firestore.indexes.json"), "utf8")) as IndexFile;

function served(requirement: IndexRequirement): boolean {
  if (requirement.kind === "composite") return indexFile.indexes.some((declared) => indexServes(declared, requirement.index, requirement.unordered));
  return (indexFile.fieldOverrides ?? []).some(
    (o) => o.collectionGroup === requirement.collectionGroup && o.fieldPath === requirement.fieldPath && o.indexes.some((i) => i.queryScope === "COLLECTION_GROUP"),
  );
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

// A query awaited directly: `.get()` straight after a query builder, a variable named *query,
// or a transaction read of a query or aggregation.
const DIRECT_QUERY_GET = [/\.collection(Group)?\([^()]*\)\.get\(\)/, /\.(where|orderBy|limit|limitToLast|findNearest|count|select|startAfter|startAt|offset)\([^;]*\)\s*\.get\(\)/, /\b\w*[qQ]uery\.get\(\)/, /\btx\.get\([^)]*\b(collection|collectionGroup|where|count)\(/];

describe("Firestore indexes", () => {
  const shapes = registeredQueryShapes();

  it("has query shapes registered for the product's queries", () => {
    expect(shapes.map((s) => s.name)).toEqual(expect.arrayContaining(["prompts.list", "executions.list", "workspaces.listForUser", "knowledge.nearestChunks", "events.stale"]));
  });

  it("declares in firestore.indexes.json every index a query shape needs", () => {
    const missing = shapes.flatMap((shape) =>
      requiredIndexes(shape)
        .filter((requirement) => !served(requirement))
        .map((requirement) => ({ query: shape.name, add: requirement.kind === "composite" ? requirement.index : { fieldOverride: requirement } })),
    );
    // On failure the diff shows the entries to add to firestore.indexes.json.
    expect(missing).toEqual([]);
  });

  it("runs every query of functions/src through runQuery with a declared shape", () => {
    const offenders = sourceFiles(SRC)
      .filter((file) => !file.endsWith(path.join("lib", "firestore-queries.ts")))
      .flatMap((file) =>
        fs
          .readFileSync(file, "utf8")
          .split("\n")
          .map((line, i) => ({ line, at: `${path.relative(SRC, file)}:${i + 1}` }))
          .filter(({ line }) => !line.includes("runQuery(") && DIRECT_QUERY_GET.some((pattern) => pattern.test(line)))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });
});
