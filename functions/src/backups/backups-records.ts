import { z } from "zod";

/**
 * The backup domain's Firestore layout. Every read is parsed with these schemas. Times are epoch
 * milliseconds (numbers): manifests are read by operators and the CLI, never queried by range
 * except `startedAt`, which orders them.
 */

/** `backups/{backupId}`: one full export and its copies. */
export const BACKUPS = "backups";
/** `backupIncrementals/{id}`: one hourly file of changes. */
export const INCREMENTALS = "backupIncrementals";
/** `backupDrills/{id}`: one restore drill's result. */
export const DRILLS = "backupDrills";
/** `backupState/incremental`: the watermark of the hourly job. */
export const INCREMENTAL_STATE = "backupState/incremental";
/** `tombstones/{id}`: a deleted document's path and time, written in the deleting batch. */
export const TOMBSTONES = "tombstones";

export const storedObject = z.object({
  name: z.string().min(1),
  size: z.number().int().nonnegative(),
  /** Base64 big-endian CRC32C, as Cloud Storage reports it. */
  crc32c: z.string().min(1),
  /** Base64 MD5; absent for composite objects (then CRC32C alone, or a download-and-hash). */
  md5Hash: z.string().optional(),
});
export type StoredObject = z.infer<typeof storedObject>;

export const regionStatus = z.enum(["pending", "copying", "verified", "failed"]);

export const regionCopy = z.object({
  bucket: z.string().min(1),
  status: regionStatus,
  /** Index in `objects` of the next object to copy: a crashed run resumes here. */
  cursor: z.number().int().nonnegative(),
  copiedBytes: z.number().int().nonnegative(),
  /** Copies redone after a checksum mismatch or a missing object. */
  recopies: z.number().int().nonnegative(),
  updatedAt: z.number(),
  verifiedAt: z.number().nullable(),
  error: z.string().nullable(),
});
export type RegionCopy = z.infer<typeof regionCopy>;

export const backupStatus = z.enum(["exporting", "replicating", "verified", "partial", "failed", "purged"]);
export type BackupStatus = z.infer<typeof backupStatus>;

export const backupManifest = z.object({
  id: z.string().min(1),
  /** `monthly` once retention chose it as its month's compliance copy. */
  tier: z.enum(["daily", "monthly"]),
  status: backupStatus,
  startedAt: z.number(),
  /** When the export finished (objects listed); null while exporting. */
  exportedAt: z.number().nullable(),
  /** When every region was verified (or the backup failed). */
  finishedAt: z.number().nullable(),
  database: z.string().min(1),
  bucket: z.string().min(1),
  /** Folder of the export in every bucket: `firestore/{yyyy-mm-dd}/{id}`. */
  prefix: z.string().min(1),
  operationName: z.string().nullable(),
  /** Collection ids exported; empty = all. */
  collections: z.array(z.string()),
  objects: z.array(storedObject),
  bytes: z.number().int().nonnegative(),
  regions: z.record(z.string(), regionCopy),
  error: z.string().nullable(),
  /** Last alert raised on this backup (also logged as `backup_alert`). */
  alert: z.string().nullable(),
});
export type BackupManifest = z.infer<typeof backupManifest>;

export const incrementalRecord = z.object({
  id: z.string().min(1),
  /** Changes with `updatedAt` / `deletedAt` in (from, to]. */
  from: z.number(),
  to: z.number(),
  capturedAt: z.number(),
  object: storedObject,
  bucket: z.string().min(1),
  /** Buckets the file was copied to and verified in, per region. */
  regions: z.record(z.string(), z.enum(["verified", "failed"])),
  puts: z.number().int().nonnegative(),
  deletes: z.number().int().nonnegative(),
});
export type IncrementalRecord = z.infer<typeof incrementalRecord>;

export const incrementalState = z.object({ watermark: z.number() });

export const drillRecord = z.object({
  id: z.string().min(1),
  backupId: z.string().min(1),
  database: z.string().min(1),
  startedAt: z.number(),
  finishedAt: z.number(),
  status: z.enum(["passed", "failed"]),
  importMs: z.number(),
  replayedFiles: z.number().int().nonnegative(),
  counts: z.record(z.string(), z.object({ source: z.number(), restored: z.number() })),
  sampled: z.number().int().nonnegative(),
  mismatches: z.array(z.string()),
});
export type DrillRecord = z.infer<typeof drillRecord>;

/** The id of a scheduled run's backup: one per schedule time, so a retried run finds its own. */
export function backupIdFor(scheduledAt: number): string {
  const iso = new Date(scheduledAt).toISOString();
  return `full-${iso.slice(0, 10).replace(/-/g, "")}-${iso.slice(11, 16).replace(":", "")}`;
}

export function backupPrefix(id: string, startedAt: number): string {
  return `firestore/${new Date(startedAt).toISOString().slice(0, 10)}/${id}`;
}
