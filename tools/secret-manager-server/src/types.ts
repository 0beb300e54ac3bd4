/** Decoded shapes of google.cloud.secretmanager.v1 (keepCase, longs and enums as strings). */
import type { Duration, Timestamp } from "./time";

export type VersionState = "STATE_UNSPECIFIED" | "ENABLED" | "DISABLED" | "DESTROYED";

export type Rotation = { next_rotation_time?: Timestamp; rotation_period?: Duration };

export type Secret = {
  name?: string;
  replication?: { automatic?: Record<string, unknown>; user_managed?: { replicas?: Array<{ location?: string }> }; replication?: string };
  create_time?: Timestamp;
  labels?: Record<string, string>;
  topics?: Array<{ name?: string }>;
  expire_time?: Timestamp;
  ttl?: Duration;
  expiration?: string;
  etag?: string;
  rotation?: Rotation;
  version_aliases?: Record<string, string | number>;
  annotations?: Record<string, string>;
  version_destroy_ttl?: Duration;
};

export type SecretVersion = {
  name?: string;
  create_time?: Timestamp;
  destroy_time?: Timestamp;
  state?: VersionState;
  replication_status?: Record<string, unknown>;
  etag?: string;
  client_specified_payload_checksum?: boolean;
  scheduled_destroy_time?: Timestamp;
};

export type SecretPayload = { data?: Buffer; data_crc32c?: string | number };

export type FieldMask = { paths?: string[] };
