/**
 * Operators' backup CLI: `npx tsx scripts/backup.ts <command> [--flags]`. Uses the product's own
 * backup modules with the real clients (FIRESTORE_EMULATOR_HOST / STORAGE_EMULATOR_HOST apply).
 *
 *   list                                        manifests, newest first
 *   export [--wait]                             start a full export now (and follow it)
 *   copy --backup <id>                          run replication steps until every region settles
 *   verify --backup <id> [--repair]             check every copy's checksums
 *   restore --backup <id> --database <id> [--project p] [--from-region r] [--until iso] [--dry-run]
 *   drill                                       restore the newest verified backup into a scratch database
 */
import { SingleBar, Presets } from "cli-progress";
import { getApps, initializeApp } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { loadConfigAssets } from "../functions/src/backups/backup-assets";
import type { BackupDeps } from "../functions/src/backups/backup-deps";
import { createBackupDrill } from "../functions/src/backups/backup-drill";
import { createBackupExports } from "../functions/src/backups/backup-export";
import { createBackupReplication } from "../functions/src/backups/backup-replication";
import { createBackupRestore } from "../functions/src/backups/backup-restore";
import { BACKUPS, backupManifest } from "../functions/src/backups/backups-records";
import { DEFAULT_BACKUP_SETTINGS } from "../functions/src/backups/backup-deps";
import { firestoreAdmin, storageFor } from "../functions/src/app/clients";
import { systemClock } from "../functions/src/lib/clock";

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? "") : undefined;
};
const has = (name: string) => argv.includes(`--${name}`);
const projectId = process.env.GCLOUD_PROJECT ?? "demo-rag-prompt-library";
const app = getApps()[0] ?? initializeApp({ projectId });
const db = getFirestore(app);
const queue: Array<{ backupId: string; region: string }> = [];
const regions = (process.env.BACKUP_REGIONS ?? "us-east1,europe-west1").split(",").filter(Boolean);
const deps: BackupDeps = {
  db,
  admin: firestoreAdmin(),
  bucket: storageFor,
  clock: systemClock,
  settings: {
    ...DEFAULT_BACKUP_SETTINGS,
    projectId,
    primaryBucket: process.env.BACKUP_BUCKET || `${projectId}-backups`,
    regions: regions.map((region) => ({ region, bucket: `${projectId}-backups-${region}` })),
    incrementalCollections: [],
  },
  publisher: { publish: async (m) => void queue.push(m) },
  assets: () => loadConfigAssets(),
};
const target = (databaseId: string, project: string) => getFirestore(project === projectId ? app : (getApps().find((a) => a.name === project) ?? initializeApp({ projectId: project }, project)), databaseId);

async function drain(): Promise<void> {
  const replication = createBackupReplication(deps);
  while (queue.length) {
    const m = queue.shift()!;
    const copy = await replication.step(m.backupId, m.region);
    console.log(`${m.region}: ${copy?.status} (${copy?.cursor} objects)`);
  }
}

async function main(): Promise<void> {
  const [command] = argv;
  const exports = createBackupExports(deps);
  if (command === "list") {
    const snap = await db.collection(BACKUPS).orderBy("startedAt", "desc").limit(50).get();
    for (const doc of snap.docs) {
      const m = backupManifest.parse(doc.data());
      console.log(`${m.id}  ${m.status.padEnd(11)} ${m.tier.padEnd(7)} ${new Date(m.startedAt).toISOString()}  ${m.bytes} B  ${Object.entries(m.regions).map(([r, c]) => `${r}:${c.status}`).join(" ")}`);
    }
  } else if (command === "export") {
    let manifest = await exports.start(Date.now());
    console.log(`started ${manifest.id} (${manifest.operationName})`);
    if (has("wait")) {
      while (manifest.status === "exporting") {
        await new Promise((r) => setTimeout(r, 1000));
        manifest = (await exports.poll(manifest.id))!;
      }
      console.log(`exported ${manifest.objects.length} objects, ${manifest.bytes} B`);
      await drain();
    }
  } else if (command === "copy") {
    const manifest = await exports.read(flag("backup") ?? "");
    if (!manifest) throw new Error("no such backup");
    for (const region of Object.keys(manifest.regions)) queue.push({ backupId: manifest.id, region });
    await drain();
  } else if (command === "verify") {
    const manifest = await exports.read(flag("backup") ?? "");
    if (!manifest) throw new Error("no such backup");
    const bar = new SingleBar({ format: "verify [{bar}] {value}/{total} {region}" }, Presets.shades_classic);
    bar.start(manifest.objects.length * Object.keys(manifest.regions).length, 0, { region: "" });
    const report = await createBackupReplication(deps).verify(manifest.id, { repair: has("repair"), onObject: (region) => bar.increment({ region }) });
    bar.stop();
    console.log(JSON.stringify(report, null, 2));
  } else if (command === "restore") {
    const restore = createBackupRestore({ ...deps, target });
    const bar = new SingleBar({ format: "{phase} [{bar}] {value}/{total}" }, Presets.shades_classic);
    let started = false;
    const until = flag("until");
    const result = await restore.restore(
      { backupId: flag("backup") ?? "", databaseId: flag("database") ?? "", ...(flag("project") ? { projectId: flag("project")! } : {}), ...(flag("from-region") ? { fromRegion: flag("from-region")! } : {}), ...(until ? { until: Date.parse(until) } : {}), dryRun: has("dry-run") },
      (p) => {
        const [value, total] = p.phase === "import" ? [p.completed, p.total] : [p.file, p.files];
        if (!started) {
          bar.start(total, value, { phase: p.phase });
          started = true;
        }
        bar.setTotal(total);
        bar.update(value, { phase: p.phase });
      },
    );
    if (started) bar.stop();
    console.log(`${result.dryRun ? "dry run: would import" : "imported"} ${result.importUri} into ${result.target}, ${result.incrementals.length} hourly files (${result.puts} puts, ${result.deletes} deletes), import ${result.importMs} ms, replay ${result.replayMs} ms`);
    if (result.erasures) console.log(`erasure ledger re-applied: ${result.erasures.subjects} people, ${result.erasures.deleted} documents deleted, ${result.erasures.anonymised} anonymised`);
  } else if (command === "drill") {
    const restore = createBackupRestore({ ...deps, target });
    const record = await createBackupDrill({ ...deps, restore, target, databaseId: flag("database") ?? "backup-drill" }).run();
    console.log(JSON.stringify(record, null, 2));
    if (record.status !== "passed") process.exitCode = 1;
  } else {
    console.log("usage: backup.ts list | export [--wait] | copy --backup id | verify --backup id [--repair] | restore --backup id --database id [--dry-run] | drill");
    process.exitCode = 2;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
