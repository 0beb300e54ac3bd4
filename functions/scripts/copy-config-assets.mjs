// Copies the project's rules and index definitions into functions/assets/ at build time: a deploy
// ships only functions/, and the backup job saves these files next to each export.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const root = path.resolve(functionsDir, "..");
const target = path.join(functionsDir, "assets");
fs.mkdirSync(target, { recursive: true });
for (const name of ["firestore.rules", "storage.rules", "firestore.indexes.json"]) {
  fs.copyFileSync(path.join(root, name), path.join(target, name));
}
