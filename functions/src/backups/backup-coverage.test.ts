import fs from "node:fs";
import path from "node:path";
import { DEFAULT_INCREMENTAL_COLLECTIONS, INCREMENTAL_EXCLUSIONS } from "./backup-queries";

/** Constants that look like collection ids but name something else. */
const NOT_COLLECTIONS: Record<string, string> = {
  API_KEY_PREFIX: "the prefix of API key secrets",
  CHALLENGE_POLICY: "a rate-limit policy",
  HEALTH_POLICY: "a rate-limit policy",
  METRICS_POLICY: "a rate-limit policy",
  SPEND_POLICY: "a rate-limit policy",
  WEBHOOK_RATE_POLICY: "a rate-limit policy",
  CURRENT: "a Secret Manager alias",
  PREVIOUS: "a Secret Manager alias",
  EMBEDDING_FIELD: "a field",
  LOCAL_PROVIDER_ID: "an LLM provider id",
  NO_IP: "a placeholder address",
  SEALED_FIELDS: "a field listing a record's sealed fields",
};

/** Literal path segments that are not collection ids. */
const NOT_COLLECTION_SEGMENTS: Record<string, string> = {
  firestore: "a Cloud Storage prefix of backups",
  current: "a document id (`metrics/current`)",
};

const SRC = path.resolve(__dirname, "..");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [full] : [];
  });
}

/**
 * Collection ids the code names: exported constants holding one identifier, and the literal
 * segments of path templates in the files that declare layouts (`*-records.ts`, `*-model.ts`,
 * `*-types.ts`).
 */
function collectionIds(): Map<string, string> {
  const ids = new Map<string, string>();
  for (const file of sources(SRC)) {
    const text = fs.readFileSync(file, "utf8");
    const where = path.relative(SRC, file);
    for (const [, name, id] of text.matchAll(/export const ([A-Z_]+) = "([a-z_][A-Za-z]+)";/g)) {
      if (!Object.hasOwn(NOT_COLLECTIONS, name!)) ids.set(id!, where);
    }
    if (!/-(records|model|types)\.ts$/.test(file)) continue;
    for (const [, template] of text.matchAll(/`([^`]*\$\{[^`]*)`/g)) {
      for (const segment of template!.split("/")) if (/^[a-z][A-Za-z]+$/.test(segment) && !Object.hasOwn(NOT_COLLECTION_SEGMENTS, segment)) ids.set(segment, where);
    }
  }
  return ids;
}

describe("backup coverage", () => {
  it("classifies every collection the code names: scanned by the hourly backup, or left to the daily export with a reason", () => {
    const scanned = new Set(DEFAULT_INCREMENTAL_COLLECTIONS.split(","));
    const unclassified = [...collectionIds()].filter(([id]) => !scanned.has(id) && !Object.hasOwn(INCREMENTAL_EXCLUSIONS, id)).map(([id, where]) => `${id} (${where})`);
    expect(unclassified).toEqual([]);
  });

  it("lists no collection as both scanned and excluded", () => {
    expect(DEFAULT_INCREMENTAL_COLLECTIONS.split(",").filter((id) => Object.hasOwn(INCREMENTAL_EXCLUSIONS, id))).toEqual([]);
  });
});
