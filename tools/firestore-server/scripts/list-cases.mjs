#!/usr/bin/env node
// Prints the conformance cases (describe > it) of tools/firestore-server/conformance as Markdown,
// read from the test sources so the list never drifts: `node tools/firestore-server/scripts/list-cases.mjs`.
import { readdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "conformance");
let total = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".test.ts")).sort()) {
  const src = readFileSync(join(dir, file), "utf8");
  const cases = [...src.matchAll(/^\s*it\("((?:[^"\\]|\\.)*)"/gm)].map((m) => m[1]);
  total += cases.length;
  console.log(`\n### ${file} (${cases.length})\n`);
  for (const c of cases) console.log(`- ${c}`);
}
console.log(`\nTotal: ${total} cases`);
