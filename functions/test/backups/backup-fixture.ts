import { randomBytes } from "node:crypto";
import { credentials } from "@grpc/grpc-js";
import { v1 } from "@google-cloud/firestore";
import { Storage } from "@google-cloud/storage";
import { getApps, initializeApp } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";
import { DEFAULT_BACKUP_SETTINGS, type BackupBucket, type BackupDeps, type BackupSettings } from "../../src/backups/backup-deps";
import { createBackupExports } from "../../src/backups/backup-export";
import { createBackupReplication } from "../../src/backups/backup-replication";
import type { Logger } from "../../src/lib/logging";
import { systemClock } from "../../src/lib/clock";

/**
 * A backup world of its own per test: a fresh database on the local Firestore server, fresh
 * buckets on the local Storage server (primary + two regions), the real admin client, and a
 * replication queue the test drains by hand (Pub/Sub's role).
 */
export const PROJECT = process.env.GCLOUD_PROJECT ?? "demo-rag-prompt-library";

export function adminClient(): InstanceType<typeof v1.FirestoreAdminClient> {
  const [host, port] = (process.env.FIRESTORE_EMULATOR_HOST ?? "").split(":");
  if (!host || !port) throw new Error("FIRESTORE_EMULATOR_HOST must point at the local Firestore server");
  return new v1.FirestoreAdminClient({ servicePath: host, port: Number(port), sslCreds: credentials.createInsecure(), projectId: PROJECT });
}

export function firestoreFor(databaseId: string): Firestore {
  const app = getApps().find((a) => a.name === "backups-test") ?? initializeApp({ projectId: PROJECT }, "backups-test");
  const db = getFirestore(app, databaseId);
  try {
    db.settings({ ignoreUndefinedProperties: true });
  } catch {
    // Already configured by an earlier call for this database.
  }
  return db;
}

export type Fixture = {
  db: Firestore;
  databaseId: string;
  storage: Storage;
  settings: BackupSettings;
  queue: Array<{ backupId: string; region: string }>;
  alerts: Array<Record<string, unknown>>;
  logger: Logger;
  deps: (overrides?: Partial<BackupDeps>) => BackupDeps;
  admin: ReturnType<typeof adminClient>;
};

export async function createFixture(settings: Partial<BackupSettings> = {}): Promise<Fixture> {
  const id = randomBytes(4).toString("hex");
  const databaseId = `bk-${id}`;
  const storage = new Storage({ projectId: PROJECT });
  const names = { primary: `bk-${id}-primary`, east: `bk-${id}-us-east1`, west: `bk-${id}-europe-west1` };
  for (const name of Object.values(names)) await storage.createBucket(name);
  const full: BackupSettings = {
    ...DEFAULT_BACKUP_SETTINGS,
    projectId: PROJECT,
    databaseId,
    primaryBucket: names.primary,
    regions: [
      { region: "us-east1", bucket: names.east },
      { region: "europe-west1", bucket: names.west },
    ],
    incrementalCollections: ["prompts", "versions", "documents"],
    incrementalLagMs: 0,
    ...settings,
  };
  const queue: Fixture["queue"] = [];
  const alerts: Fixture["alerts"] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (event, fields) => {
      if (event === "backup_alert") alerts.push(fields ?? {});
    },
  };
  const db = firestoreFor(databaseId);
  const admin = adminClient();
  return {
    db,
    databaseId,
    storage,
    settings: full,
    queue,
    alerts,
    logger,
    admin,
    deps: (overrides = {}) => ({
      db,
      admin,
      bucket: (name: string): BackupBucket => storage.bucket(name),
      clock: systemClock,
      settings: full,
      publisher: { publish: async (m) => void queue.push(m) },
      assets: () => [
        { name: "firestore.rules", contentType: "text/plain", content: "rules_version = '2';" },
        { name: "firestore.indexes.json", contentType: "application/json", content: "{\"indexes\":[]}" },
      ],
      logger,
      ...overrides,
    }),
  };
}

/** Every document under the database root, by path, as comparable JSON (every document, not a sample). */
export async function dumpDatabase(db: Firestore, skip: Set<string> = new Set()): Promise<Record<string, unknown>> {
  const { encodeValue } = await import("../../src/backups/value-codec");
  const out: Record<string, unknown> = {};
  const walk = async (collections: FirebaseFirestore.CollectionReference[]): Promise<void> => {
    for (const collection of collections) {
      if (skip.has(collection.id)) continue;
      for (const ref of await collection.listDocuments()) {
        const snap = await ref.get();
        if (snap.exists) out[ref.path] = encodeValue(snap.data());
        await walk(await ref.listCollections());
      }
    }
  };
  await walk(await db.listCollections());
  return out;
}

/** A full backup as production runs it: export, polled to the end, then every region's replication step (Pub/Sub's role played by the fixture's queue). */
export async function fullBackup(f: Fixture): Promise<string> {
  const deps = f.deps();
  const exports = createBackupExports(deps);
  const replication = createBackupReplication(deps);
  let manifest = await exports.start(Date.now());
  while (manifest.status === "exporting") {
    await new Promise((r) => setTimeout(r, 20));
    manifest = (await exports.poll(manifest.id))!;
  }
  while (f.queue.length) {
    const m = f.queue.shift()!;
    await replication.step(m.backupId, m.region);
  }
  return manifest.id;
}
