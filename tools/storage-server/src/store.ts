/**
 * Buckets and live objects, indexed in memory and persisted under `dataDir`:
 *   buckets/<bucket>/bucket.json                     bucket record + notification configs
 *   buckets/<bucket>/objects/<sha256(name)>.json     object record (sidecar)
 *   buckets/<bucket>/objects/<sha256(name)>.<generation>.bin   object bytes
 *   uploads/<id>.json, uploads/<id>.bin               resumable sessions and their bytes so far
 *   tmp/                                             bodies being received
 * Names are hashed into file names because object names may be 1024 bytes and contain '/'.
 * Each generation has its own data file, so a download of the previous generation that is
 * still streaming is not disturbed by an overwrite (the unlinked file stays readable).
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BucketRecord, NotificationRecord, ObjectRecord } from "./types";

export type BucketState = {
  record: BucketRecord;
  objects: Map<string, ObjectRecord>;
  notifications: NotificationRecord[];
  nextNotificationId: number;
};

const objectKey = (name: string): string => createHash("sha256").update(name).digest("hex");

/** Where the bytes of one object generation live (exported for tests that corrupt a file). */
export function objectDataPath(dataDir: string, bucket: string, name: string, generation: string): string {
  return join(dataDir, "buckets", encodeURIComponent(bucket), "objects", `${objectKey(name)}.${generation}.bin`);
}

export class Store {
  readonly buckets = new Map<string, BucketState>();
  private lastGeneration = 0;

  constructor(readonly dataDir: string) {
    mkdirSync(this.tmpDir, { recursive: true });
    mkdirSync(this.uploadsDir, { recursive: true });
    mkdirSync(join(dataDir, "buckets"), { recursive: true });
    this.load();
  }

  get tmpDir(): string {
    return join(this.dataDir, "tmp");
  }

  get uploadsDir(): string {
    return join(this.dataDir, "uploads");
  }

  tmpPath(): string {
    return join(this.tmpDir, randomUUID());
  }

  /** Microseconds since the epoch, strictly increasing within this process. */
  nextGeneration(): string {
    this.lastGeneration = Math.max(Date.now() * 1000, this.lastGeneration + 1);
    return String(this.lastGeneration);
  }

  dataPath(bucket: string, name: string, generation: string): string {
    return objectDataPath(this.dataDir, bucket, name, generation);
  }

  private bucketDir(bucket: string): string {
    return join(this.dataDir, "buckets", encodeURIComponent(bucket));
  }

  private sidecarPath(bucket: string, name: string): string {
    return join(this.bucketDir(bucket), "objects", `${objectKey(name)}.json`);
  }

  private load(): void {
    for (const dir of readdirSync(join(this.dataDir, "buckets"))) {
      const file = join(this.dataDir, "buckets", dir, "bucket.json");
      if (!existsSync(file)) continue;
      const saved = JSON.parse(readFileSync(file, "utf8")) as Omit<BucketState, "objects">;
      const state: BucketState = { ...saved, objects: new Map() };
      const objectsDir = join(this.dataDir, "buckets", dir, "objects");
      for (const f of existsSync(objectsDir) ? readdirSync(objectsDir) : []) {
        if (!f.endsWith(".json")) continue;
        const rec = JSON.parse(readFileSync(join(objectsDir, f), "utf8")) as ObjectRecord;
        state.objects.set(rec.name, rec);
        this.lastGeneration = Math.max(this.lastGeneration, Number(rec.generation));
      }
      this.buckets.set(state.record.name, state);
    }
  }

  saveBucket(state: BucketState): void {
    const dir = this.bucketDir(state.record.name);
    mkdirSync(join(dir, "objects"), { recursive: true });
    const { record, notifications, nextNotificationId } = state;
    writeFileSync(join(dir, "bucket.json"), JSON.stringify({ record, notifications, nextNotificationId }));
  }

  removeBucket(name: string): void {
    this.buckets.delete(name);
    rmSync(this.bucketDir(name), { recursive: true, force: true });
  }

  /**
   * Makes `record` the live generation, moving its bytes from `tmpFile` (omitted for metadata
   * only changes). Returns the generation it replaced, if any.
   */
  putObject(record: ObjectRecord, tmpFile?: string): ObjectRecord | undefined {
    const state = this.buckets.get(record.bucket)!;
    const previous = state.objects.get(record.name);
    if (tmpFile) renameSync(tmpFile, this.dataPath(record.bucket, record.name, record.generation));
    writeFileSync(this.sidecarPath(record.bucket, record.name), JSON.stringify(record));
    state.objects.set(record.name, record);
    if (previous && previous.generation !== record.generation) this.unlinkData(previous);
    return previous;
  }

  deleteObject(record: ObjectRecord): void {
    const state = this.buckets.get(record.bucket);
    if (!state) return;
    state.objects.delete(record.name);
    rmSync(this.sidecarPath(record.bucket, record.name), { force: true });
    this.unlinkData(record);
  }

  private unlinkData(record: ObjectRecord): void {
    try {
      unlinkSync(this.dataPath(record.bucket, record.name, record.generation));
    } catch {
      // Already gone: nothing to reclaim.
    }
  }

  reset(): void {
    this.buckets.clear();
    for (const sub of ["buckets", "uploads", "tmp"]) {
      rmSync(join(this.dataDir, sub), { recursive: true, force: true });
      mkdirSync(join(this.dataDir, sub), { recursive: true });
    }
  }
}
