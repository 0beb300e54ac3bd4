/**
 * Shared helpers: clients talk to STORAGE_EMULATOR_HOST only through @google-cloud/storage
 * (plus plain `fetch` for wire details the client hides). Every test uses its own bucket, so the
 * suite runs in any order and against Google's emulator.
 */
import { randomBytes } from "node:crypto";
import { Storage, type Bucket } from "@google-cloud/storage";

export const PROJECT_ID = "demo-conformance";

export function emulatorUrl(): string {
  const host = process.env["STORAGE_EMULATOR_HOST"];
  if (!host) throw new Error("STORAGE_EMULATOR_HOST is not set (the global setup should have set it)");
  return host.startsWith("http") ? host.replace(/\/$/, "") : `http://${host}`;
}

export const uid = (): string => randomBytes(5).toString("hex");

export function newStorage(): Storage {
  return new Storage({ projectId: PROJECT_ID, retryOptions: { maxRetries: 1, retryDelayMultiplier: 1, totalTimeout: 10 } });
}

/** Creates buckets for one test file and empties + deletes them afterwards. */
export function bucketFactory(storage: Storage): { create(prefix?: string): Promise<Bucket>; cleanup(): Promise<void> } {
  const created: Bucket[] = [];
  return {
    create: async (prefix = "b") => {
      const [bucket] = await storage.createBucket(`${prefix}-${uid()}`);
      created.push(bucket);
      return bucket;
    },
    cleanup: async () => {
      for (const b of created) {
        await b.deleteFiles({ force: true }).catch(() => undefined);
        await b.delete().catch(() => undefined);
      }
    },
  };
}

/** Object path on the JSON API (no /storage/v1 prefix, as the client sends it). */
export const objectUrl = (bucket: string, name: string, query = ""): string =>
  `${emulatorUrl()}/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}${query ? `?${query}` : ""}`;

export const randomData = (size: number): Buffer => randomBytes(size);
