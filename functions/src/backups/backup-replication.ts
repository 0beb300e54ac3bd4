import { FieldPath } from "firebase-admin/firestore";
import type { BackupDeps } from "./backup-deps";
import { createBackupTelemetry } from "./backup-telemetry";
import { BACKUPS, backupManifest, type BackupManifest, type RegionCopy, type StoredObject } from "./backups-records";
import { verifyCopy, type Verdict } from "./checksums";

export type CopyOutcome = { ok: true; recopies: number } | { ok: false; recopies: number; reason: Exclude<Verdict, { ok: true }>["reason"] };

/**
 * Copies a finished export to each secondary region's bucket, object by object, a bounded batch
 * per Pub/Sub message (fan-out and redelivery are Pub/Sub's job; no ordering is needed). The
 * region's cursor in the manifest advances after every verified object, so a crashed run is
 * redelivered (or re-published by the poller) and resumes where it stopped; an object already
 * copied and verified is not copied again.
 */
export function createBackupReplication(deps: BackupDeps) {
  const { db, clock, settings } = deps;
  const telemetry = createBackupTelemetry(deps.logger);
  const ref = (id: string) => db.collection(BACKUPS).doc(id);

  async function read(id: string): Promise<BackupManifest | null> {
    const snap = await ref(id).get();
    return snap.exists ? backupManifest.parse(snap.data()) : null;
  }

  async function saveRegion(id: string, region: string, copy: RegionCopy): Promise<void> {
    await ref(id).update(new FieldPath("regions", region), copy);
  }

  /** Copies `object` unless a good copy is there, then verifies it; a bad copy is deleted and redone. */
  async function copyVerified(manifest: BackupManifest, object: StoredObject, targetBucket: string, opts: { force?: boolean } = {}): Promise<CopyOutcome> {
    const source = deps.bucket(manifest.bucket).file(object.name);
    const target = deps.bucket(targetBucket).file(object.name);
    let verdict: Verdict = opts.force ? { ok: false, reason: "missing" } : await verifyCopy(object, target);
    let recopies = 0;
    for (let attempt = 1; !verdict.ok && attempt <= settings.maxCopyAttempts; attempt++) {
      if (verdict.reason !== "missing") {
        (deps.logger ?? { warn: () => undefined }).warn("backup_copy_mismatch", { backupId: manifest.id, bucket: targetBucket, object: object.name, reason: verdict.reason, attempt });
        recopies++;
      }
      await source.copy(target);
      verdict = await verifyCopy(object, target);
    }
    return verdict.ok ? { ok: true, recopies } : { ok: false, recopies, reason: verdict.reason };
  }

  /** One replication step for one region: up to `copyBatchSize` objects, then the next step is published. */
  async function step(backupId: string, region: string): Promise<RegionCopy | null> {
    const manifest = await read(backupId);
    const start = manifest?.regions[region];
    if (!manifest || !start || manifest.status !== "replicating" || start.status === "verified" || start.status === "failed") return start ?? null;
    let copy: RegionCopy = { ...start, status: "copying", updatedAt: clock.now() };
    const end = Math.min(copy.cursor + settings.copyBatchSize, manifest.objects.length);
    for (let i = copy.cursor; i < end; i++) {
      const object = manifest.objects[i]!;
      const outcome = await copyVerified(manifest, object, copy.bucket);
      copy = { ...copy, recopies: copy.recopies + outcome.recopies, updatedAt: clock.now() };
      if (!outcome.ok) {
        copy = { ...copy, status: "failed", error: `${object.name}: ${outcome.reason} after ${settings.maxCopyAttempts} copies` };
        await saveRegion(backupId, region, copy);
        telemetry.alert("copy-failed", { backupId, region, object: object.name, cause: outcome.reason });
        await settle(backupId);
        return copy;
      }
      copy = { ...copy, cursor: i + 1, copiedBytes: copy.copiedBytes + object.size };
      await saveRegion(backupId, region, copy);
    }
    if (copy.cursor < manifest.objects.length) {
      await saveRegion(backupId, region, copy);
      await deps.publisher.publish({ backupId, region });
      return copy;
    }
    copy = { ...copy, status: "verified", verifiedAt: clock.now(), error: null };
    await saveRegion(backupId, region, copy);
    telemetry.metric({ metric: "backup_replication", outcome: "success", backupId, region, bytes: copy.copiedBytes, durationMs: clock.now() - (manifest.exportedAt ?? manifest.startedAt), recopies: copy.recopies });
    await settle(backupId);
    return copy;
  }

  /** When no region is still copying: `verified` if every region is, else `partial` (some copies exist). */
  async function settle(backupId: string): Promise<void> {
    await db.runTransaction(async (tx) => {
      const snap = await tx.get(ref(backupId));
      if (!snap.exists) return;
      const manifest = backupManifest.parse(snap.data());
      const regions = Object.values(manifest.regions);
      if (manifest.status !== "replicating" || regions.some((r) => r.status === "pending" || r.status === "copying")) return;
      const status = regions.every((r) => r.status === "verified") ? "verified" : "partial";
      tx.update(ref(backupId), { status, finishedAt: clock.now(), ...(status === "partial" ? { alert: "copy-failed" } : {}) });
      if (status === "partial") telemetry.metric({ metric: "backup_replication", outcome: "failure", backupId, region: "*", bytes: 0, durationMs: clock.now() - manifest.startedAt, recopies: 0 });
    });
  }

  /**
   * Checks every copy of a backup against the source checksums (operators' `verify`, and after a
   * suspected incident). A missing or corrupted copy is re-copied when `repair` is set; either
   * way it raises `backup_alert` (corruption at rest is news even when repaired).
   */
  async function verify(backupId: string, opts: { repair: boolean; onObject?: (region: string, name: string, ok: boolean) => void }) {
    const manifest = await read(backupId);
    if (!manifest) throw new Error(`No backup ${backupId}`);
    const report: Record<string, { checked: number; bad: string[]; repaired: string[] }> = {};
    for (const [region, copy] of Object.entries(manifest.regions)) {
      const entry = (report[region] = { checked: 0, bad: [] as string[], repaired: [] as string[] });
      for (const object of manifest.objects) {
        const verdict = await verifyCopy(object, deps.bucket(copy.bucket).file(object.name));
        entry.checked++;
        opts.onObject?.(region, object.name, verdict.ok);
        if (verdict.ok) continue;
        entry.bad.push(`${object.name}: ${verdict.reason}`);
        telemetry.alert("copy-mismatch", { backupId, region, object: object.name, cause: verdict.reason, repair: opts.repair });
        if (opts.repair && (await copyVerified(manifest, object, copy.bucket, { force: true })).ok) entry.repaired.push(object.name);
      }
      if (entry.bad.length > 0) {
        const healthy = entry.bad.length === entry.repaired.length;
        await saveRegion(backupId, region, { ...copy, status: healthy ? "verified" : "failed", recopies: copy.recopies + entry.repaired.length, updatedAt: clock.now(), verifiedAt: healthy ? clock.now() : copy.verifiedAt, error: healthy ? null : entry.bad.join("; ") });
        await ref(backupId).update({ alert: "copy-mismatch", ...(healthy ? {} : { status: "partial" }) });
      }
    }
    return report;
  }

  return { step, verify, copyVerified };
}

export type BackupReplication = ReturnType<typeof createBackupReplication>;
