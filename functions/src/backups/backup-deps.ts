import type { v1 } from "@google-cloud/firestore";
import type { Bucket } from "@google-cloud/storage";
import type { Firestore } from "firebase-admin/firestore";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/logging";

/** What the backup domain uses of the Firestore admin client (export, import, their operations). */
export type FirestoreAdmin = Pick<InstanceType<typeof v1.FirestoreAdminClient>, "exportDocuments" | "checkExportDocumentsProgress" | "importDocuments" | "checkImportDocumentsProgress">;

/** What it uses of a bucket: object handles and listings. */
export type BackupBucket = Pick<Bucket, "name" | "file" | "getFiles">;

/** A region's copy of every backup. */
export type BackupRegion = { region: string; bucket: string };

/** Deploy-time settings (params in app/production.ts; tests pass their own). */
export type BackupSettings = {
  projectId: string;
  /** @default "(default)" */
  databaseId: string;
  /** Where exports are written first. */
  primaryBucket: string;
  /** Secondary copies. @default us-east1 and europe-west1 */
  regions: BackupRegion[];
  /** Daily backups are kept this long. @default 30 */
  dailyRetentionDays: number;
  /** One backup per month is kept this long (compliance). @default 7 */
  monthlyRetentionYears: number;
  /** Objects copied per replication message. @default 20 */
  copyBatchSize: number;
  /** Copies of one object tried before its region is failed and an alert raised. @default 3 */
  maxCopyAttempts: number;
  /** The newest verified backup older than this raises `backup_alert`. @default 26 h */
  staleAfterMs: number;
  /** Collection ids the hourly job scans for `updatedAt` changes. */
  incrementalCollections: string[];
  /** Changes younger than this wait for the next hour (writes committing late). @default 60 s */
  incrementalLagMs: number;
};

export const DEFAULT_BACKUP_SETTINGS = {
  databaseId: "(default)",
  dailyRetentionDays: 30,
  monthlyRetentionYears: 7,
  copyBatchSize: 20,
  maxCopyAttempts: 3,
  staleAfterMs: 26 * 3_600_000,
  incrementalLagMs: 60_000,
} satisfies Partial<BackupSettings>;

/** Publishes one replication step (Pub/Sub topic `BACKUP_REPLICATION_TOPIC`). */
export type ReplicationPublisher = { publish(message: { backupId: string; region: string }): Promise<void> };

export const BACKUP_REPLICATION_TOPIC = "backup-replication";

/** The configuration files saved next to every export, so a restore rebuilds the whole database. */
export type ConfigAsset = { name: string; contentType: string; content: string };

export type BackupDeps = {
  db: Firestore;
  admin: FirestoreAdmin;
  bucket: (name: string) => BackupBucket;
  clock: Clock;
  settings: BackupSettings;
  publisher: ReplicationPublisher;
  assets: () => ConfigAsset[];
  logger?: Logger;
};
