/**
 * The secrets the backend mints and rotates itself. Provider API keys and other third-party
 * credentials are not here: they are rotated by a person at the provider (docs/secrets.md), and a
 * SECRET_ROTATE for them only raises an alert.
 */
export type MintedSecret = {
  /** The Secret Manager secret id (the same name a `defineSecret` param would use). */
  id: string;
  /** HKDF label the key ring derives this secret's keys with. */
  purpose: string;
  /** How long the previous version stays accepted after a rotation. */
  graceMs: number;
  /** How long a disabled version is kept (re-enable it to undo a bad rotation) before it is destroyed. */
  destroyAfterMs: number;
  /** Stored data is protected with it: the previous version is disabled only once re-encryption finished. */
  reencrypts: boolean;
};

const DAY = 86_400_000;
/**
 * Keys that protect stored data are destroyed only after the longest backup retention (monthly
 * backups: 7 years, docs/backups.md), so a restored backup can still be opened: re-enable the
 * versions its tokens name, let re-encryption move them, disable again. Until then they are
 * disabled, which is what stops them working.
 */
const BACKUP_RETENTION_MS = (7 * 366 + 30) * DAY;

export const MINTED_SECRETS = {
  fieldEncryption: { id: "FIELD_ENCRYPTION_KEY", purpose: "field-encryption-kek", graceMs: 7 * DAY, destroyAfterMs: BACKUP_RETENTION_MS, reencrypts: true },
  webhookSecretKey: { id: "WEBHOOK_SECRET_KEY", purpose: "webhook-endpoint-secrets", graceMs: 7 * DAY, destroyAfterMs: BACKUP_RETENTION_MS, reencrypts: true },
  internalHmac: { id: "INTERNAL_HMAC_KEY", purpose: "internal-hmac", graceMs: DAY, destroyAfterMs: 7 * DAY, reencrypts: false },
} satisfies Record<string, MintedSecret>;

export function mintedSecret(id: string): MintedSecret | undefined {
  return Object.values(MINTED_SECRETS).find((s) => s.id === id);
}

/** Secret Manager publishes SECRET_ROTATE here (the secrets' `topics`); `rotateSecrets` consumes it. */
export const SECRET_ROTATION_TOPIC = "secret-rotation";

/** Firestore: rotation state per secret, the append-only audit trail, its baseline and alerts. */
export const SECRET_ROTATIONS = "secretRotations";
export const SECRET_AUDIT = "secretAudit";
export const SECRET_ACCESS_BASELINE = "secretAccessBaseline";
export const SECRET_ALERTS = "secretAlerts";
