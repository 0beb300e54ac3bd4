import type { Bucket } from "@google-cloud/storage";
import type { Redis } from "@upstash/redis";
import type { DocumentReference, Firestore } from "firebase-admin/firestore";
import { encodeValue } from "../../src/backups/value-codec";

/**
 * A scanner that looks for a person everywhere the product keeps data, knowing nothing of the
 * product's layout: every document of the database (collections walked recursively, path and
 * fields), every object of the buckets (name, metadata and content), every Redis key (name and
 * value, whatever its type). It answers what it found as `firestore:<path>`, `storage:<bucket>/<name>`
 * and `redis:<key>`, the same ids the export archive's lines map to.
 */
export type ScanOptions = { db: Firestore; buckets: Bucket[]; redis: Redis; needles: string[]; skipCollections?: ReadonlySet<string> };

export async function scanFor({ db, buckets, redis, needles, skipCollections = new Set() }: ScanOptions): Promise<string[]> {
  const found: string[] = [];
  const hit = (text: string) => needles.some((n) => text.includes(n));

  const walk = async (refs: DocumentReference[]): Promise<void> => {
    for (const ref of refs) {
      const snap = await ref.get();
      if (snap.exists && (hit(ref.path) || hit(JSON.stringify(encodeValue(snap.data()))))) found.push(`firestore:${ref.path}`);
      for (const collection of await ref.listCollections()) await walk(await collection.listDocuments());
    }
  };
  for (const collection of await db.listCollections()) {
    if (!skipCollections.has(collection.id)) await walk(await collection.listDocuments());
  }

  for (const bucket of buckets) {
    const [files] = await bucket.getFiles({ autoPaginate: true });
    for (const file of files) {
      const [content] = await file.download();
      if (hit(file.name) || hit(JSON.stringify(file.metadata.metadata ?? {})) || hit(content.toString("utf8"))) found.push(`storage:${bucket.name}/${file.name}`);
    }
  }

  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, { match: "*", count: 1000 });
    cursor = String(next);
    for (const key of keys) {
      if (hit(key)) {
        found.push(`redis:${key}`);
        continue;
      }
      const type = await redis.type(key);
      const value =
        type === "string" ? await redis.get(key) : type === "hash" ? await redis.hgetall(key) : type === "zset" ? await redis.zrange(key, 0, -1) : type === "list" ? await redis.lrange(key, 0, -1) : type === "set" ? await redis.smembers(key) : null;
      if (hit(JSON.stringify(value ?? null))) found.push(`redis:${key}`);
    }
  } while (cursor !== "0");
  return found.sort();
}
