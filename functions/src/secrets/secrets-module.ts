import { randomBytes } from "node:crypto";
import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import type { Clock } from "../lib/clock";
import { createKeyRing, staticKeyRing, type KeyRing, type SecretAuditRecorder, type SecretReader } from "../lib/secrets";
import { createWorker, type WorkerDeps, type WorkerSpec } from "../lib/workers";
import { createSecretBox, type SecretBox } from "../webhooks/webhook-signing";
import { createAccessAnomalyCheck, type AnomalySettings } from "./access-anomalies";
import { createFieldCipher, type FieldCipher } from "./field-cipher";
import { createHmacSigner, type HmacSigner } from "./hmac-signer";
import { createReencryption } from "./reencryption";
import { executionsTarget, sourcesTarget, webhookEndpointsTarget } from "./reencryption-targets";
import { createFieldSealer, type FieldSealer } from "./sealed-fields";
import type { SecretAdmin } from "./secret-admin";
import { MINTED_SECRETS, SECRET_AUDIT, type MintedSecret } from "./secret-catalog";
import { queryShape, runQuery } from "../lib/firestore-queries";
import { createSecretRotation, rotationWorker } from "./secret-rotation";

/** Runtime secrets of a deployed graph: Secret Manager (or the local server) behind a cached reader. */
export type SecretsDeps = {
  reader: SecretReader;
  /** Resolved on first use: only the rotation functions write to Secret Manager. */
  admin: () => SecretAdmin;
  audit: SecretAuditRecorder & { flush(): Promise<void> };
  anomalies?: Partial<AnomalySettings>;
};

const scheduledRun = z.looseObject({ scheduleTime: z.string() });
const ROTATIONS_BETWEEN = queryShape({ name: "secrets.rotationsBetween", collectionGroup: SECRET_AUDIT, equality: ["kind", "outcome"], range: "at" });
/** Time one re-encryption run may take before it stops at a saved cursor (the function's timeout is 540 s). */
const REENCRYPTION_BUDGET_MS = 300_000;

/**
 * The secrets domain of one graph: keys of the rotating secrets, field encryption, webhook secret
 * sealing, internal HMAC signatures, and the workers of rotation, re-encryption, retirement and
 * the access check. Without `runtime` (test graphs) keys are random per graph: real encryption
 * with a key nobody else holds, never plaintext; production always passes Secret Manager's.
 */
export function createSecrets(deps: { db: Pick<Firestore, "doc" | "collection" | "collectionGroup" | "batch" | "runTransaction">; clock: Clock; runtime?: SecretsDeps; webhookKey?: () => string }) {
  const { db, clock, runtime } = deps;
  const ring = (secret: MintedSecret): KeyRing => (runtime ? createKeyRing(runtime.reader, secret.id, secret.purpose) : staticKeyRing(randomBytes(32).toString("base64"), secret.purpose));
  const fieldCipher: FieldCipher = createFieldCipher({ keys: ring(MINTED_SECRETS.fieldEncryption) });
  const fields: FieldSealer = createFieldSealer(fieldCipher);
  // Test graphs keep their configured webhook key (deliveries there are verified with it).
  const webhookSecrets: SecretBox = createSecretBox(runtime ? ring(MINTED_SECRETS.webhookSecretKey) : (deps.webhookKey ?? (() => "")));
  const hmac: HmacSigner = createHmacSigner(ring(MINTED_SECRETS.internalHmac));

  const configured = () => {
    if (!runtime) throw new Error("Runtime secrets are not configured in this graph");
    return runtime;
  };
  let rotation: ReturnType<typeof createSecretRotation> | undefined;
  const rotator = () => (rotation ??= createSecretRotation({ db, clock, admin: configured().admin(), reader: configured().reader, audit: configured().audit }));
  const reencryption = createReencryption({
    db,
    clock,
    rotation: { state: (id) => rotator().state(id) },
    targets: (secret) => (secret.id === MINTED_SECRETS.fieldEncryption.id ? [executionsTarget(db, fieldCipher), sourcesTarget(db, fieldCipher)] : secret.id === MINTED_SECRETS.webhookSecretKey.id ? [webhookEndpointsTarget(db, webhookSecrets)] : []),
  });
  const anomalies = createAccessAnomalyCheck({ db, clock, ...(runtime?.anomalies ? { settings: runtime.anomalies } : {}) });
  const all = Object.values(MINTED_SECRETS);

  const workers = {
    rotate: () => rotationWorker({ rotation: lazyRotation(), audit: runtime?.audit ?? { record: () => undefined }, clock }),
    reencrypt: (): WorkerSpec<typeof scheduledRun> => ({
      name: "secrets.reencrypt",
      payload: scheduledRun,
      async handle() {
        for (const secret of all.filter((s) => s.reencrypts)) await reencryption.run(secret, REENCRYPTION_BUDGET_MS);
      },
    }),
    retire: (): WorkerSpec<typeof scheduledRun> => ({
      name: "secrets.retire",
      payload: scheduledRun,
      async handle() {
        for (const secret of all) await rotator().retire(secret);
        await configured().audit.flush();
      },
    }),
    checkAccess: (): WorkerSpec<typeof scheduledRun> => ({
      name: "secrets.checkAccess",
      payload: scheduledRun,
      async handle() {
        await anomalies.run();
      },
    }),
  };

  function lazyRotation() {
    return { rotate: (s: MintedSecret) => rotator().rotate(s), retire: (s: MintedSecret) => rotator().retire(s), state: (id: string) => rotator().state(id) };
  }

  /** Versions added by rotation in [from, to) (the monthly compliance report). */
  async function rotationsBetween(from: number, to: number): Promise<number> {
    const query = db.collection(SECRET_AUDIT).where("kind", "==", "rotation").where("outcome", "==", "added").where("at", ">=", Timestamp.fromMillis(from)).where("at", "<", Timestamp.fromMillis(to));
    return (await runQuery(ROTATIONS_BETWEEN, query.count())).data().count;
  }

  return { fieldCipher, fields, webhookSecrets, hmac, rotation: lazyRotation(), reencryption, anomalies, workers, rotationsBetween };
}

export type Secrets = ReturnType<typeof createSecrets>;

/** The plain handlers of the deployed secret functions (app/secret-functions.ts), one worker each. */
export function secretHandlers(secrets: Secrets, workerDeps: WorkerDeps) {
  return {
    rotateSecrets: createWorker(secrets.workers.rotate(), workerDeps),
    reencryptSecretData: createWorker(secrets.workers.reencrypt(), workerDeps),
    retireSecretVersions: createWorker(secrets.workers.retire(), workerDeps),
    checkSecretAccess: createWorker(secrets.workers.checkAccess(), workerDeps),
  };
}
