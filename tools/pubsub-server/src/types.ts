/**
 * Decoded message shapes as proto-loader hands them over with LOADER_OPTIONS (@rag/server-kit): snake_case keys,
 * int64 as strings, enums as names, absent fields left undefined, bytes as Buffers.
 */
export type Timestamp = { seconds?: string | number; nanos?: number };
export type Duration = { seconds?: string | number; nanos?: number };
export type Labels = Record<string, string>;

export type PubsubMessage = {
  data?: Buffer;
  attributes?: Labels;
  message_id?: string;
  publish_time?: Timestamp;
  ordering_key?: string;
};

export type Topic = {
  name?: string;
  labels?: Labels;
  message_retention_duration?: Duration;
  kms_key_name?: string;
  schema_settings?: unknown;
  message_storage_policy?: unknown;
  state?: string;
};

export type RetryPolicy = { minimum_backoff?: Duration; maximum_backoff?: Duration };
export type DeadLetterPolicy = { dead_letter_topic?: string; max_delivery_attempts?: number };
export type PushConfig = {
  push_endpoint?: string;
  attributes?: Labels;
  oidc_token?: { service_account_email?: string; audience?: string };
  pubsub_wrapper?: Record<string, never>;
  no_wrapper?: { write_metadata?: boolean };
  authentication_method?: string;
  wrapper?: string;
};

export type Subscription = {
  name?: string;
  topic?: string;
  push_config?: PushConfig;
  ack_deadline_seconds?: number;
  retain_acked_messages?: boolean;
  message_retention_duration?: Duration;
  labels?: Labels;
  enable_message_ordering?: boolean;
  expiration_policy?: { ttl?: Duration };
  filter?: string;
  dead_letter_policy?: DeadLetterPolicy;
  retry_policy?: RetryPolicy;
  detached?: boolean;
  enable_exactly_once_delivery?: boolean;
  topic_message_retention_duration?: Duration;
  state?: string;
  bigquery_config?: unknown;
  cloud_storage_config?: unknown;
  bigtable_config?: unknown;
};

export type Snapshot = { name?: string; topic?: string; expire_time?: Timestamp; labels?: Labels };

export type ReceivedMessage = { ack_id: string; message: PubsubMessage; delivery_attempt?: number };

export type FieldMask = { paths?: string[] };

export type StreamingPullRequest = {
  subscription?: string;
  ack_ids?: string[];
  modify_deadline_seconds?: number[];
  modify_deadline_ack_ids?: string[];
  stream_ack_deadline_seconds?: number;
  client_id?: string;
  max_outstanding_messages?: string;
  max_outstanding_bytes?: string;
};
