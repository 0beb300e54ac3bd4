/**
 * What the secrets library reports about each read and rotation. The recorder is the domain's
 * (`secrets/secret-audit-log.ts` appends to Firestore and logs); the library only calls it.
 */
export type SecretAuditEntry = {
  kind: "access" | "rotation";
  secretId: string;
  /** The version read or acted on (a number), or the selector asked for when nothing was read. */
  version: string;
  /** The function that did it (`K_SERVICE` / `FUNCTION_TARGET`), or a worker name. */
  actor: string;
  /** `ok`, `fallback` (an older good value served), `error`; rotations: their step (`added`, `disabled`, ...). */
  outcome: string;
  /** Epoch ms. */
  at: number;
  detail?: string;
};

export type SecretAuditRecorder = { record(entry: SecretAuditEntry): void };

/** Records nothing (unit tests of other modules). */
export const noAudit: SecretAuditRecorder = { record: () => undefined };
