import { runQuery } from "../lib/firestore-queries";
import type { BackupDeps } from "./backup-deps";
import { BACKUP_QUERIES } from "./backup-queries";
import { createBackupTelemetry } from "./backup-telemetry";
import { BACKUPS, backupIdFor, backupManifest, backupPrefix, type BackupManifest, type RegionCopy, type StoredObject } from "./backups-records";
import { describeObject } from "./checksums";

/**
 * Full exports: started by the daily schedule, finished by a poller. The export itself is a
 * Firestore long-running operation; no function waits on it (`checkExportDocumentsProgress` is
 * one read per poll), so an export of any size costs a few short invocations.
 */
export function createBackupExports(deps: BackupDeps) {
  const { db, admin, clock, settings } = deps;
  const telemetry = createBackupTelemetry(deps.logger);
  const ref = (id: string) => db.collection(BACKUPS).doc(id);
  const databaseName = `projects/${settings.projectId}/databases/${settings.databaseId}`;

  async function read(id: string): Promise<BackupManifest | null> {
    const snap = await ref(id).get();
    return snap.exists ? backupManifest.parse(snap.data()) : null;
  }

  /**
   * Starts the export of the run scheduled at `scheduledAt` (idempotent: a retried run finds its
   * manifest and only starts the operation if it never got one).
   */
  async function start(scheduledAt: number): Promise<BackupManifest> {
    const id = backupIdFor(scheduledAt);
    const now = clock.now();
    const fresh: BackupManifest = {
      id,
      tier: "daily",
      status: "exporting",
      startedAt: now,
      exportedAt: null,
      finishedAt: null,
      database: databaseName,
      bucket: settings.primaryBucket,
      prefix: backupPrefix(id, scheduledAt),
      operationName: null,
      collections: [],
      objects: [],
      bytes: 0,
      regions: Object.fromEntries(settings.regions.map((r) => [r.region, pendingRegion(r.bucket, now)])),
      error: null,
      alert: null,
    };
    const manifest = await db.runTransaction(async (tx) => {
      const snap = await tx.get(ref(id));
      if (snap.exists) return backupManifest.parse(snap.data());
      tx.create(ref(id), fresh);
      return fresh;
    });
    if (manifest.operationName || manifest.status !== "exporting") return manifest;
    try {
      const [operation] = await admin.exportDocuments({ name: databaseName, outputUriPrefix: `gs://${manifest.bucket}/${manifest.prefix}`, collectionIds: manifest.collections });
      await ref(id).update({ operationName: operation.name ?? null });
      (deps.logger ?? { info: () => undefined }).info("backup_export_started", { backupId: id, operation: operation.name });
      return { ...manifest, operationName: operation.name ?? null };
    } catch (error) {
      // Rethrown: Cloud Scheduler retries the run, which finds this manifest and tries again.
      telemetry.metric({ metric: "backup_export", outcome: "failure", backupId: id, bytes: 0, durationMs: clock.now() - manifest.startedAt });
      throw error;
    }
  }

  /**
   * One look at a running export. When it is done: lists the exported objects with their
   * checksums, saves the configuration assets next to them, and starts replication.
   * Returns the manifest as it now stands.
   */
  async function poll(id: string): Promise<BackupManifest | null> {
    const manifest = await read(id);
    if (!manifest || manifest.status !== "exporting" || !manifest.operationName) return manifest;
    const operation = await admin.checkExportDocumentsProgress(manifest.operationName);
    if (!operation.done) return manifest;
    if (operation.error) return fail(manifest, `export failed: ${operation.error.message ?? "unknown error"}`);
    const objects = await saveAssetsAndList(manifest);
    const bytes = objects.reduce((sum, o) => sum + o.size, 0);
    const exportedAt = clock.now();
    await ref(id).update({ status: "replicating", exportedAt, objects, bytes });
    telemetry.metric({ metric: "backup_export", outcome: "success", backupId: id, bytes, durationMs: exportedAt - manifest.startedAt });
    for (const region of Object.keys(manifest.regions)) await deps.publisher.publish({ backupId: id, region });
    return { ...manifest, status: "replicating", exportedAt, objects, bytes };
  }

  async function saveAssetsAndList(manifest: BackupManifest): Promise<StoredObject[]> {
    const bucket = deps.bucket(manifest.bucket);
    for (const asset of deps.assets()) {
      await bucket.file(`${manifest.prefix}/config/${asset.name}`).save(asset.content, { contentType: asset.contentType, resumable: false });
    }
    const [files] = await bucket.getFiles({ prefix: `${manifest.prefix}/` });
    const objects: StoredObject[] = [];
    for (const file of files) {
      const described = await describeObject(file);
      if (described) objects.push(described);
    }
    return objects.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async function fail(manifest: BackupManifest, error: string): Promise<BackupManifest> {
    const finishedAt = clock.now();
    await ref(manifest.id).update({ status: "failed", finishedAt, error, alert: "export-failed" });
    telemetry.metric({ metric: "backup_export", outcome: "failure", backupId: manifest.id, bytes: 0, durationMs: finishedAt - manifest.startedAt });
    telemetry.alert("export-failed", { backupId: manifest.id, error });
    return { ...manifest, status: "failed", finishedAt, error, alert: "export-failed" };
  }

  /** Manifests the poller looks at: exports running, replications under way. */
  async function active(): Promise<BackupManifest[]> {
    const snap = await runQuery(BACKUP_QUERIES.active, db.collection(BACKUPS).where("status", "in", ["exporting", "replicating"]));
    return snap.docs.map((d) => backupManifest.parse(d.data()));
  }

  return { start, poll, read, active };
}

export function pendingRegion(bucket: string, now: number): RegionCopy {
  return { bucket, status: "pending", cursor: 0, copiedBytes: 0, recopies: 0, updatedAt: now, verifiedAt: null, error: null };
}

export type BackupExports = ReturnType<typeof createBackupExports>;
