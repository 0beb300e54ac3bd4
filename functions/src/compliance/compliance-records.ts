import { z } from "zod";
import { timestampField } from "../lib/firestore-records";
import { DATA_CLASSES } from "./retention-policies";

/**
 * Firestore layout of the compliance domain:
 * - `purgeJobs/{class}@{yyyy-mm-dd}`: one retention run per class and day, with its cursor and count.
 * - `retentionWatermarks/{class}`: where the redaction passes stopped (they never remove what they read).
 * - `dataRequests/{id}`: data subject requests (export, erasure); the finished one is its receipt.
 * - `erasureLedger/{uid}`: who was erased and when (ids only), re-applied after every restore.
 * - `users/{uid}/consents/{purpose}` and `users/{uid}/consentEvents/{id}`: the consent ledger.
 * - `complianceReports/{yyyy-mm}`: the monthly report.
 * Receipts and ledger entries keep the subject's uid (a random id, no personal data by itself),
 * never an email or a name, so they can prove an erasure after the data is gone.
 */
export const PURGE_JOBS = "purgeJobs";
export const RETENTION_WATERMARKS = "retentionWatermarks";
export const DATA_REQUESTS = "dataRequests";
export const ERASURE_LEDGER = "erasureLedger";
export const CONSENTS = "consents";
export const CONSENT_EVENTS = "consentEvents";
export const COMPLIANCE_REPORTS = "complianceReports";

const cursor = z.object({ key: z.union([z.string(), z.number()]), path: z.string() }).nullable();
const count = z.number().int().nonnegative();

export const storedPurgeJobSchema = z.object({
  dataClass: z.enum(DATA_CLASSES),
  day: z.string(),
  cutoff: timestampField,
  status: z.enum(["running", "done"]),
  cursor,
  /** Documents deleted or redacted, committed with each batch: never counted twice. */
  processed: count,
  /** Each message carries the step it continues; a stale duplicate is dropped. */
  step: count,
  leaseUntil: timestampField.nullable(),
  startedAt: timestampField,
  completedAt: timestampField.nullable(),
  updatedAt: timestampField,
});
export type StoredPurgeJob = z.infer<typeof storedPurgeJobSchema>;

export const DATA_REQUEST_KINDS = ["export", "erasure"] as const;
export type DataRequestKind = (typeof DATA_REQUEST_KINDS)[number];

/** What a request found and did, per store. Counts and ids only. */
export const receiptSchema = z.object({
  found: z.object({ firestore: z.record(z.string(), count), storageObjects: count, redisKeys: count, authAccount: z.boolean() }),
  done: z.object({
    exported: count,
    deleted: count,
    anonymised: count,
    storageObjectsDeleted: count,
    redisKeysDeleted: count,
    authAccountDeleted: z.boolean(),
    workspacesDeleted: z.array(z.string()),
    workspacesTransferred: z.array(z.string()),
  }),
  archive: z.object({ bucket: z.string(), object: z.string(), bytes: count, lines: count }).nullable(),
});
export type Receipt = z.infer<typeof receiptSchema>;

export const storedDataRequestSchema = z.object({
  kind: z.enum(DATA_REQUEST_KINDS),
  subjectUid: z.string(),
  /** `user`: the person asked; `auth-deletion`: their account was deleted; `admin`: an operator. */
  source: z.enum(["user", "auth-deletion", "admin"]),
  status: z.enum(["queued", "running", "completed", "failed"]),
  requestedAt: timestampField,
  /** The legal deadline (30 days). */
  dueAt: timestampField,
  startedAt: timestampField.nullable(),
  completedAt: timestampField.nullable(),
  attempts: count,
  leaseUntil: timestampField.nullable(),
  receipt: receiptSchema.nullable(),
  /** A stable description of the last failure (our code and message, never upstream text). */
  error: z.string().nullable(),
  updatedAt: timestampField,
});
export type StoredDataRequest = z.infer<typeof storedDataRequestSchema>;

export const storedLedgerEntrySchema = z.object({ subjectUid: z.string(), requestId: z.string(), erasedAt: timestampField, updatedAt: timestampField });
export type StoredLedgerEntry = z.infer<typeof storedLedgerEntrySchema>;

export const storedConsentSchema = z.object({
  purpose: z.string(),
  granted: z.boolean(),
  policyVersion: z.string(),
  updatedAt: timestampField,
  source: z.string(),
});
export type StoredConsent = z.infer<typeof storedConsentSchema>;
