/** Records the store keeps per bucket and object; the JSON API resources are built from them. */

/** Object metadata a client may set (uploads, patch, update, rewrite destination). */
export type WritableObjectFields = {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  metadata?: Record<string, string>;
  storageClass?: string;
};

export type ObjectRecord = WritableObjectFields & {
  bucket: string;
  name: string;
  /** Decimal microseconds, kept as a string (exceeds 2^53 never, but the API uses strings). */
  generation: string;
  metageneration: number;
  size: number;
  crc32c: string;
  md5Hash: string;
  timeCreated: string;
  updated: string;
};

export type BucketRecord = {
  name: string;
  location: string;
  locationType: string;
  storageClass: string;
  labels?: Record<string, string>;
  versioning?: { enabled: boolean };
  timeCreated: string;
  updated: string;
  metageneration: number;
};

export type NotificationRecord = {
  id: string;
  topic: string;
  payload_format: string;
  event_types?: string[];
  object_name_prefix?: string;
  custom_attributes?: Record<string, string>;
};

export type ChangeKind = "finalized" | "deleted" | "metadataUpdated";

/** What a request supplies as generation / metageneration preconditions. */
export type Preconditions = {
  ifGenerationMatch?: string;
  ifGenerationNotMatch?: string;
  ifMetagenerationMatch?: string;
  ifMetagenerationNotMatch?: string;
};
