import fs from "node:fs";
import path from "node:path";
import type { ConfigAsset } from "./backup-deps";

const FILES = [
  { name: "firestore.rules", contentType: "text/plain" },
  { name: "storage.rules", contentType: "text/plain" },
  { name: "firestore.indexes.json", contentType: "application/json" },
];

/**
 * The configuration a restore needs besides the data, read from the deployed bundle: the deploy
 * ships only `functions/`, so the files are copied to `functions/assets/` at build
 * (docs/backups.md); locally they are read from the repository root. TTL policies are the
 * `ttl: true` field overrides of the index file, saved on their own so the runbook can reapply them.
 */
export function loadConfigAssets(roots = [path.join(__dirname, "../../assets"), path.join(__dirname, "../../..")]): ConfigAsset[] {
  const root = roots.find((dir) => fs.existsSync(path.join(dir, "firestore.rules")));
  if (!root) throw new Error("Backup config assets not found (firestore.rules, storage.rules, firestore.indexes.json)");
  const assets = FILES.filter((f) => fs.existsSync(path.join(root, f.name))).map((f) => ({ ...f, content: fs.readFileSync(path.join(root, f.name), "utf8") }));
  const indexes = assets.find((a) => a.name === "firestore.indexes.json");
  const overrides = indexes ? ((JSON.parse(indexes.content) as { fieldOverrides?: Array<{ ttl?: boolean }> }).fieldOverrides ?? []) : [];
  assets.push({ name: "ttl-policies.json", contentType: "application/json", content: JSON.stringify({ ttl: overrides.filter((o) => o.ttl === true) }, null, 2) });
  return assets;
}
