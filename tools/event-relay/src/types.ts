/** What the relay knows about one function the emulator serves, read from `GET /backends`. */
export type TriggerBase = {
  /** `<region>-<name>`, the emulator's id (the trigger route adds `-<generation>`). */
  id: string;
  name: string;
  region: string;
  /** Seconds the emulator lets the function run. @default 60 */
  timeoutSeconds: number;
  /** `retry: true` on the trigger (read from the functions' manifest: /backends omits it). */
  retry: boolean;
};

export type FirestoreTrigger = TriggerBase & {
  kind: "firestore";
  eventType: string;
  /** `written` | `created` | `updated` | `deleted` */
  operation: FirestoreOperation;
  withAuthContext: boolean;
  database: string;
  namespace: string;
  /** Document path or pattern relative to `documents/`, e.g. `items/{id}`. */
  document: string;
};

export type StorageTrigger = TriggerBase & {
  kind: "storage";
  eventType: string;
  /** `finalized` | `deleted` | `archived` | `metadataUpdated` */
  action: string;
  bucket: string;
};

export type PubSubTrigger = TriggerBase & { kind: "pubsub"; topic: string };

export type RetryConfig = {
  retryCount?: number;
  maxRetrySeconds?: number;
  minBackoffSeconds?: number;
  maxBackoffSeconds?: number;
  maxDoublings?: number;
};

export type ScheduleTrigger = TriggerBase & {
  kind: "schedule";
  schedule: string;
  timeZone: string;
  retryConfig: RetryConfig;
};

export type Trigger = FirestoreTrigger | StorageTrigger | PubSubTrigger | ScheduleTrigger;

export type FirestoreOperation = "written" | "created" | "updated" | "deleted";

/** One structured log line (printed as JSON on stdout by default). */
export type LogLine = { severity: "INFO" | "WARNING" | "ERROR"; event: string } & Record<string, unknown>;
export type Logger = (line: LogLine) => void;

/** A CloudEvent in binary content mode: `ce-*` headers plus the data as the body. */
export type BinaryCloudEvent = {
  id: string;
  type: string;
  source: string;
  subject?: string;
  time: string;
  /** Extension attributes (`ce-<name>` headers). */
  extensions: Record<string, string>;
  contentType: string;
  body: Buffer;
};

export type Clock = { now(): number };
