import path from "node:path";
import type { Firestore } from "firebase-admin/firestore";
import type { Clock } from "../lib/clock";
import { runtimeEnv } from "../lib/config";
import { createSecretReader, layeredSource, localFileSource, secretManagerSource, type SecretSource } from "../lib/secrets";
import { createSecretAuditLog } from "../secrets/secret-audit-log";
import { secretManagerAdmin } from "../secrets/secret-admin";
import { rotationStatePath } from "../secrets/secret-rotation";
import type { SecretsDeps } from "../secrets/secrets-module";
import { firebaseApp, secretManager } from "./clients";

/**
 * Runtime secrets of a deployed instance. Production reads Secret Manager (the function's service
 * account needs `secretmanager.secretAccessor` on each rotating secret, and the rotation functions
 * `secretmanager.secretVersionManager`: docs/secrets.md). A local stack reads the local Secret
 * Manager server when it runs one, and `.secret.local` for what it does not hold.
 */
export function productionSecretsDeps(deps: { db: Firestore; clock: Clock }): SecretsDeps {
  const env = runtimeEnv();
  const projectId = firebaseApp().options.projectId ?? env.GCLOUD_PROJECT ?? "";
  // A local stack: the Functions emulator, or a process pointed at the local Secret Manager server
  // (the demo seeding, scripts, the load tool). Production sets neither.
  const local = env.FUNCTIONS_EMULATOR === "true" || Boolean(env.SECRET_MANAGER_EMULATOR_HOST);
  const localFile = () => localFileSource(env.SECRETS_LOCAL_FILE ?? path.join(process.cwd(), ".secret.local"));
  let source: SecretSource;
  if (!local) source = secretManagerSource({ client: secretManager(), projectId });
  else source = env.SECRET_MANAGER_EMULATOR_HOST ? layeredSource(secretManagerSource({ client: secretManager(), projectId }), localFile()) : localFile();
  const audit = createSecretAuditLog({ db: deps.db });
  const reader = createSecretReader({
    source,
    clock: deps.clock,
    audit,
    // Cloud Run sets K_SERVICE to the function's service; the emulator sets FUNCTION_TARGET.
    actor: process.env.K_SERVICE ?? process.env.FUNCTION_TARGET ?? "unknown",
    announcements: async (secretId) => {
      const generation: unknown = (await deps.db.doc(rotationStatePath(secretId)).get()).get("generation");
      return typeof generation === "number" ? generation : null;
    },
  });
  return { reader, audit, admin: () => secretManagerAdmin({ client: secretManager(), projectId }) };
}
