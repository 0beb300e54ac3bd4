/** JSON API resources (storage#object, storage#bucket, notification) built from store records. */
import type { BucketRecord, NotificationRecord, ObjectRecord } from "./types";

export type Json = Record<string, unknown>;

const enc = encodeURIComponent;

export function objectResource(o: ObjectRecord, baseUrl: string): Json {
  const res: Json = {
    kind: "storage#object",
    id: `${o.bucket}/${o.name}/${o.generation}`,
    selfLink: `${baseUrl}/storage/v1/b/${enc(o.bucket)}/o/${enc(o.name)}`,
    mediaLink: `${baseUrl}/download/storage/v1/b/${enc(o.bucket)}/o/${enc(o.name)}?generation=${o.generation}&alt=media`,
    name: o.name,
    bucket: o.bucket,
    generation: o.generation,
    metageneration: String(o.metageneration),
    contentType: o.contentType ?? "application/octet-stream",
    storageClass: o.storageClass ?? "STANDARD",
    size: String(o.size),
    md5Hash: o.md5Hash,
    crc32c: o.crc32c,
    etag: objectEtag(o),
    timeCreated: o.timeCreated,
    updated: o.updated,
    timeStorageClassUpdated: o.timeCreated,
  };
  for (const key of ["contentEncoding", "contentDisposition", "contentLanguage", "cacheControl"] as const) {
    if (o[key] !== undefined) res[key] = o[key];
  }
  if (o.metadata && Object.keys(o.metadata).length > 0) res["metadata"] = o.metadata;
  return res;
}

/** Changes with every generation and metageneration, like production's etag. */
export function objectEtag(o: ObjectRecord): string {
  return Buffer.from(`${o.generation}/${o.metageneration}`).toString("base64");
}

export function bucketResource(b: BucketRecord, baseUrl: string): Json {
  const res: Json = {
    kind: "storage#bucket",
    id: b.name,
    selfLink: `${baseUrl}/storage/v1/b/${enc(b.name)}`,
    projectNumber: "0",
    name: b.name,
    timeCreated: b.timeCreated,
    updated: b.updated,
    metageneration: String(b.metageneration),
    location: b.location,
    locationType: b.locationType,
    storageClass: b.storageClass,
    etag: Buffer.from(`b/${b.metageneration}`).toString("base64"),
    iamConfiguration: { uniformBucketLevelAccess: { enabled: false }, publicAccessPrevention: "inherited" },
  };
  if (b.labels && Object.keys(b.labels).length > 0) res["labels"] = b.labels;
  if (b.versioning) res["versioning"] = b.versioning;
  return res;
}

export function notificationResource(bucket: string, n: NotificationRecord, baseUrl: string): Json {
  return {
    kind: "storage#notification",
    selfLink: `${baseUrl}/storage/v1/b/${enc(bucket)}/notificationConfigs/${n.id}`,
    etag: n.id,
    ...n,
  };
}
