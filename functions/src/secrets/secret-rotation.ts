import { randomBytes } from "node:crypto";
import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import type { Clock } from "../lib/clock";
import { readRecord, timestampField } from "../lib/firestore-records";
import { logger } from "../lib/logging";
import { CURRENT, LOCAL_VERSION, PREVIOUS, type SecretAuditRecorder, type SecretReader } from "../lib/secrets";
import type { CloudEvent } from "firebase-functions/v2";
import type { MessagePublishedData } from "firebase-functions/v2/pubsub";
import { pubsubEvent, type WorkerEvent, type WorkerSpec } from "../lib/workers";
import type { SecretAdmin } from "./secret-admin";
import { mintedSecret, SECRET_ROTATIONS, type MintedSecret } from "./secret-catalog";

/**
 * Rotation of the secrets the backend mints (secret-catalog.ts), driven by Secret Manager's
 * SECRET_ROTATE notifications (Pub/Sub: fan-in from Secret Manager's scheduler, at least once):
 *
 *   T        a new version n is added; alias `current` → n, `previous` → the old version o.
 *            Writers use n from the next read (other instances within the reader's TTL, sooner
 *            through `generation`); readers accept o and n.
 *   T..T+g   grace: both versions work; re-encryption re-wraps stored data from o to n.
 *   T+g      `retireSecretVersions` disables o (only once re-encryption finished, for keys that
 *            protect stored data): what o signed or sealed stops working.
 *   T+g+d    o is destroyed (until then, re-enabling it undoes the rotation).
 *
 * Idempotent per scheduled rotation: the key is the secret and its `nextRotationTime`, so a
 * duplicated notification does not rotate twice. A crash between adding the version and moving
 * the aliases leaves an unused version; the redelivery adds another and moves the aliases.
 */
export const rotationStateSchema = z.object({
  secretId: z.string(),
  current: z.string(),
  previous: z.string().nullable(),
  rotatedAt: timestampField,
  /** Bumped on every change of versions: instances drop their cached values when it moves. */
  generation: z.number().int(),
  /** Versions to disable at `retireAt`, then destroy `destroyAt` after being disabled. */
  retiring: z.array(z.object({ version: z.string(), retireAt: timestampField, disabledAt: timestampField.nullable() })),
  /** Re-encryption of stored data from older versions to `current` (keys that protect data). */
  reencryption: z.object({ status: z.enum(["running", "done"]), cursor: z.string().nullable(), updated: z.number().int(), startedAt: timestampField, doneAt: timestampField.nullable() }).nullable(),
});
export type RotationState = z.infer<typeof rotationStateSchema>;

const ROTATION = { kind: "secret rotation state" };

/** SECRET_ROTATE as the trigger adapter hands it over: the attributes' event type and the Secret (proto3 JSON). */
export const rotationEventSchema = z.object({
  eventType: z.string(),
  secret: z.object({ name: z.string().regex(/^projects\/[^/]+\/secrets\/[^/]+$/), rotation: z.object({ nextRotationTime: z.string().optional() }).optional() }).passthrough(),
});

export type RotationDeps = {
  db: Pick<Firestore, "doc">;
  clock: Clock;
  admin: SecretAdmin;
  reader: SecretReader;
  audit: SecretAuditRecorder;
  /** Who acts, for the audit trail. @default "rotateSecrets" */
  actor?: string;
  /** @default 32 random bytes, base64 */
  mint?: () => Buffer;
};

export const rotationStatePath = (secretId: string) => `${SECRET_ROTATIONS}/${secretId}`;

export function createSecretRotation(deps: RotationDeps) {
  const { db, clock, admin, reader, audit } = deps;
  const actor = deps.actor ?? "rotateSecrets";
  const mint = deps.mint ?? (() => Buffer.from(randomBytes(32).toString("base64"), "utf8"));
  const step = (secretId: string, version: string, outcome: string, detail?: string) =>
    audit.record({ kind: "rotation", secretId, version, actor, outcome, at: clock.now(), ...(detail ? { detail } : {}) });

  async function state(secretId: string): Promise<RotationState | null> {
    return readRecord(await db.doc(rotationStatePath(secretId)).get(), rotationStateSchema, ROTATION);
  }

  return {
    state,

    /** Adds a version and moves `current` / `previous`; the old version retires after the grace period. */
    async rotate(secret: MintedSecret): Promise<RotationState> {
      const before = await state(secret.id);
      const aliases = await admin.aliases(secret.id);
      // Before the first rotation there is no alias: the newest version is the one in use.
      const inUse = aliases[CURRENT] ?? before?.current ?? (await reader.get(secret.id, "latest").then((v) => v.version, () => null));
      // `.secret.local`'s value (the emulator) is not a Secret Manager version: it is neither aliased nor retired.
      const old = inUse === LOCAL_VERSION ? null : inUse;
      const version = await admin.addVersion(secret.id, mint());
      step(secret.id, version, "added");
      await admin.setAliases(secret.id, { ...aliases, [CURRENT]: version, ...(old ? { [PREVIOUS]: old } : {}) });
      step(secret.id, version, "aliases-moved", old ? `previous=${old}` : undefined);
      const now = clock.now();
      const retiring = [...(before?.retiring ?? []), ...(old && old !== version ? [{ version: old, retireAt: Timestamp.fromMillis(now + secret.graceMs), disabledAt: null }] : [])];
      const next: RotationState = {
        secretId: secret.id,
        current: version,
        previous: old,
        rotatedAt: Timestamp.fromMillis(now),
        generation: (before?.generation ?? 0) + 1,
        retiring,
        reencryption: secret.reencrypts ? { status: "running", cursor: null, updated: 0, startedAt: Timestamp.fromMillis(now), doneAt: null } : null,
      };
      await db.doc(rotationStatePath(secret.id)).set(next);
      reader.invalidate(secret.id);
      logger.info("secret_rotated", { secretId: secret.id, version, previous: old, graceMs: secret.graceMs });
      return next;
    },

    /**
     * Disables versions whose grace period ended (after re-encryption, for keys protecting data)
     * and destroys those disabled for `destroyAfterMs`. Safe to run any time, any number of times.
     */
    async retire(secret: MintedSecret): Promise<{ disabled: string[]; destroyed: string[] }> {
      const current = await state(secret.id);
      if (!current) return { disabled: [], destroyed: [] };
      const now = clock.now();
      const disabled: string[] = [];
      const destroyed: string[] = [];
      const blocked = secret.reencrypts && current.reencryption?.status !== "done";
      const retiring: RotationState["retiring"] = [];
      for (const entry of current.retiring) {
        if (!entry.disabledAt && entry.retireAt.toMillis() <= now && !blocked) {
          await admin.disable(secret.id, entry.version);
          step(secret.id, entry.version, "disabled");
          disabled.push(entry.version);
          retiring.push({ ...entry, disabledAt: Timestamp.fromMillis(now) });
        } else if (entry.disabledAt && entry.disabledAt.toMillis() + secret.destroyAfterMs <= now) {
          await admin.destroy(secret.id, entry.version);
          step(secret.id, entry.version, "destroyed");
          destroyed.push(entry.version);
        } else retiring.push(entry);
      }
      if (blocked && current.retiring.some((e) => !e.disabledAt && e.retireAt.toMillis() <= now)) logger.warn("secret_retire_waiting_for_reencryption", { secretId: secret.id });
      if (disabled.length === 0 && destroyed.length === 0) return { disabled, destroyed };
      const previousRetired = current.previous !== null && disabled.includes(current.previous);
      if (previousRetired) {
        const { [PREVIOUS]: _gone, ...aliases } = await admin.aliases(secret.id);
        await admin.setAliases(secret.id, aliases);
      }
      await db.doc(rotationStatePath(secret.id)).set({ ...current, retiring, previous: previousRetired ? null : current.previous, generation: current.generation + 1 });
      reader.invalidate(secret.id);
      logger.info("secret_versions_retired", { secretId: secret.id, disabled, destroyed });
      return { disabled, destroyed };
    },
  };
}

export type SecretRotation = ReturnType<typeof createSecretRotation>;

/** The Pub/Sub worker of SECRET_ROTATE: rotates a minted secret; other secrets raise an alert for a person. */
export function rotationWorker(deps: { rotation: SecretRotation; audit: SecretAuditRecorder & { flush?(): Promise<void> }; clock: Clock }): WorkerSpec<typeof rotationEventSchema> {
  return {
    name: "secrets.rotate",
    payload: rotationEventSchema,
    // One rotation per scheduled time; other event types (our own alias moves) never share its key.
    idempotencyKey: (event) => `${event.eventType}:${event.secret.name}@${event.secret.rotation?.nextRotationTime ?? "unscheduled"}`,
    async handle(event) {
      const secretId = event.secret.name.split("/").pop()!;
      if (event.eventType !== "SECRET_ROTATE") return;
      const secret = mintedSecret(secretId);
      if (!secret) {
        deps.audit.record({ kind: "rotation", secretId, version: "-", actor: "rotateSecrets", outcome: "manual-required", at: deps.clock.now() });
        logger.error("secret_rotation_manual_required", { secretId, alert: true });
      } else await deps.rotation.rotate(secret);
      await deps.audit.flush?.();
    },
  };
}

/**
 * A Secret Manager notification as the rotation worker reads it: the event type is an attribute
 * (the data alone, a Secret, looks the same for SECRET_UPDATE and SECRET_ROTATE).
 */
export function rotationEvent(event: CloudEvent<MessagePublishedData>): WorkerEvent {
  const base = pubsubEvent(event);
  return { ...base, data: { eventType: event.data.message.attributes?.["eventType"], secret: base.data } };
}
