import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import { timestampField } from "../lib/firestore-records";
import { logger } from "../lib/logging";
import type { SecretAuditEntry, SecretAuditRecorder } from "../lib/secrets";
import { SECRET_AUDIT } from "./secret-catalog";

/**
 * The audit trail of secrets: one document per access of Secret Manager and per rotation step in
 * `secretAudit` (append-only: created, never updated; clients have no access), and the same entry
 * as a structured log `secret_audit`. Values never appear in either. Cache hits are not accesses
 * of Secret Manager and are not recorded (each instance reads a version once per TTL).
 *
 * Recording never blocks or fails the read it describes (fail open): a failed write is logged as
 * `secret_audit_write_failed`, and the structured log still carries the entry.
 */
export const storedAuditSchema = z.object({
  kind: z.enum(["access", "rotation"]),
  secretId: z.string(),
  version: z.string(),
  actor: z.string(),
  outcome: z.string(),
  detail: z.string().nullable(),
  at: timestampField,
});
export type StoredAudit = z.infer<typeof storedAuditSchema>;

export function createSecretAuditLog(deps: { db: Pick<Firestore, "collection"> }): SecretAuditRecorder & { flush(): Promise<void> } {
  const pending = new Set<Promise<unknown>>();
  return {
    record(entry: SecretAuditEntry) {
      logger.info("secret_audit", { kind: entry.kind, secretId: entry.secretId, version: entry.version, actor: entry.actor, outcome: entry.outcome, detail: entry.detail });
      const stored: StoredAudit = { ...entry, detail: entry.detail ?? null, at: Timestamp.fromMillis(entry.at) };
      const write = deps.db
        .collection(SECRET_AUDIT)
        .doc()
        .create(stored)
        .catch((error: unknown) => logger.warn("secret_audit_write_failed", { secretId: entry.secretId, errorName: error instanceof Error ? error.name : "unknown" }))
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    /** Waits for the writes under way (workers call it before they finish, so records are not lost with the instance). */
    async flush() {
      await Promise.all([...pending]);
    },
  };
}
