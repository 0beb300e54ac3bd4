import { randomBytes } from "node:crypto";
import { credentials } from "@grpc/grpc-js";
import { PubSub, v1 } from "@google-cloud/pubsub";
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import type { CloudEvent } from "firebase-functions/v2";
import type { MessagePublishedData } from "firebase-functions/v2/pubsub";
import { manualClock } from "../../src/lib/clock";
import { createSecretReader, secretManagerSource } from "../../src/lib/secrets";
import { FieldDecryptionError } from "../../src/secrets/field-cipher";
import { secretManagerAdmin } from "../../src/secrets/secret-admin";
import { createSecretAuditLog } from "../../src/secrets/secret-audit-log";
import { MINTED_SECRETS, SECRET_ALERTS, SECRET_AUDIT, SECRET_ROTATION_TOPIC } from "../../src/secrets/secret-catalog";
import { rotationEvent } from "../../src/secrets/secret-rotation";
import { createSecrets, secretHandlers } from "../../src/secrets/secrets-module";
import { executionPath } from "../../src/executions/execution-records";
import { firestoreFor } from "../backups/backup-fixture";
import { storedExecution } from "../compliance/compliance-fixtures";

/**
 * Rotation end to end: @google-cloud/secret-manager against the local Secret Manager server,
 * SECRET_ROTATE published by it to the local Pub/Sub server and pulled from there, the rotation,
 * re-encryption and retirement workers over a database of their own, and a manual clock for the
 * grace periods.
 */
const emulator = process.env.SECRET_MANAGER_EMULATOR_HOST;
const describeWithServer = emulator && process.env.PUBSUB_EMULATOR_HOST ? describe : describe.skip;

describeWithServer("secret rotation through Secret Manager, Pub/Sub and the workers (needs SECRET_MANAGER_EMULATOR_HOST and PUBSUB_EMULATOR_HOST)", () => {
  const projectId = `demo-secrets-${randomBytes(4).toString("hex")}`;
  const [host, port] = (emulator ?? ":").split(":");
  const client = new SecretManagerServiceClient({ apiEndpoint: host, port: Number(port), sslCreds: credentials.createInsecure(), projectId });
  const pubsub = new PubSub({ projectId });
  const subscriber = new v1.SubscriberClient({ ...pubsub.options, port: Number(pubsub.options.port) } as ConstructorParameters<typeof v1.SubscriberClient>[0]);
  const subscription = `projects/${projectId}/subscriptions/rotations`;
  const topic = `projects/${projectId}/topics/${SECRET_ROTATION_TOPIC}`;

  beforeAll(async () => {
    await pubsub.createTopic(SECRET_ROTATION_TOPIC);
    await pubsub.topic(SECRET_ROTATION_TOPIC).createSubscription("rotations");
  });
  afterAll(async () => {
    await subscriber.close();
    await pubsub.close();
    await client.close();
  });

  /** Creates the secret as operations would: its first version, the rotation topic and schedule. */
  async function provision(secretId: string): Promise<void> {
    await client.createSecret({
      parent: `projects/${projectId}`,
      secretId,
      secret: { replication: { automatic: {} }, topics: [{ name: topic }], rotation: { nextRotationTime: { seconds: Math.floor(Date.now() / 1000) + 3600 }, rotationPeriod: { seconds: 30 * 86400 } } },
    });
    await client.addSecretVersion({ parent: `projects/${projectId}/secrets/${secretId}`, payload: { data: randomBytes(32) } });
  }

  /** Asks the server to fire the secret's rotation now and pulls the SECRET_ROTATE it published, as Eventarc would deliver it. */
  async function rotationMessage(secretId: string): Promise<CloudEvent<MessagePublishedData>> {
    const res = await fetch(`http://${emulator}/rotations:run?secret=${encodeURIComponent(`projects/${projectId}/secrets/${secretId}`)}`, { method: "POST" });
    expect(res.status).toBe(200);
    for (let i = 0; i < 20; i++) {
      const [pulled] = await subscriber.pull({ subscription, maxMessages: 20 });
      const messages = pulled.receivedMessages ?? [];
      if (messages.length) await subscriber.acknowledge({ subscription, ackIds: messages.map((m) => m.ackId!) });
      const rotate = messages.find((m) => m.message?.attributes?.["eventType"] === "SECRET_ROTATE" && m.message.attributes["secretId"]?.endsWith(`/${secretId}`));
      if (rotate) {
        const message = rotate.message!;
        const publishTime = new Date(Number(message.publishTime?.seconds ?? 0) * 1000).toISOString();
        return {
          id: message.messageId!,
          time: publishTime,
          specversion: "1.0",
          source: "//pubsub.googleapis.com/",
          type: "google.cloud.pubsub.topic.v1.messagePublished",
          data: { message: { messageId: message.messageId!, publishTime, data: Buffer.from(message.data as Uint8Array).toString("base64"), attributes: { ...message.attributes } }, subscription } as unknown as MessagePublishedData,
        };
      }
    }
    throw new Error(`No SECRET_ROTATE for ${secretId} arrived`);
  }

  function graph() {
    const db = firestoreFor(`secrets-${randomBytes(4).toString("hex")}`);
    const clock = manualClock(Date.now());
    const audit = createSecretAuditLog({ db });
    const reader = createSecretReader({ source: secretManagerSource({ client, projectId }), clock, audit, actor: "rotation-test", ttlMs: 60_000 });
    const secrets = createSecrets({ db, clock, runtime: { reader, audit, admin: () => secretManagerAdmin({ client, projectId }) } });
    const handlers = secretHandlers(secrets, { db, clock });
    const scheduled = (name: string) => ({ id: `${name}@${clock.now()}`, data: { scheduleTime: new Date(clock.now()).toISOString() }, attempt: 1 });
    return { db, clock, audit, reader, secrets, handlers, scheduled };
  }

  const aliasesOf = async (secretId: string) => (await client.getSecret({ name: `projects/${projectId}/secrets/${secretId}` }))[0].versionAliases;
  const stateOf = async (secretId: string, version: string) => (await client.getSecretVersion({ name: `projects/${projectId}/secrets/${secretId}/versions/${version}` }))[0].state;

  it("what was signed or encrypted with the previous version keeps working through the grace period and stops after it; stored data is re-encrypted first", async () => {
    const { db, clock, secrets, handlers, scheduled, audit } = graph();
    await provision(MINTED_SECRETS.internalHmac.id);
    await provision(MINTED_SECRETS.fieldEncryption.id);
    await provision(MINTED_SECRETS.webhookSecretKey.id);

    // Before any rotation: version 1 is current (no alias yet).
    const message = "internal-request:42";
    const oldSignature = await secrets.hmac.sign(message);
    expect(oldSignature).toMatch(/^v1\./);
    const context = "workspaces/w/executions/e#output";
    const oldToken = await secrets.fieldCipher.seal("Jane Doe", context);
    const path = executionPath("w", "stored-before");
    await db.doc(path).set(await secrets.fields.seal(path, storedExecution("w", "u1", clock.now(), "Jane's question"), ["variablesJson", "output"]));
    const oldSealed = await secrets.webhookSecrets.seal("whsec_endpoint-secret", "ep1");
    await db.doc("webhookEndpoints/ep1").set({ secrets: [{ id: "s1", sealed: oldSealed }] });

    // SECRET_ROTATE from Secret Manager's schedule, through Pub/Sub, to the rotation worker.
    const hmacRotation = await rotationMessage(MINTED_SECRETS.internalHmac.id);
    expect(await handlers.rotateSecrets(rotationEvent(hmacRotation))).toBe("done");
    expect(await handlers.rotateSecrets(rotationEvent(hmacRotation))).toBe("duplicate");
    expect(await handlers.rotateSecrets(rotationEvent(await rotationMessage(MINTED_SECRETS.fieldEncryption.id)))).toBe("done");
    expect(await handlers.rotateSecrets(rotationEvent(await rotationMessage(MINTED_SECRETS.webhookSecretKey.id)))).toBe("done");
    expect(await aliasesOf(MINTED_SECRETS.internalHmac.id)).toEqual({ current: "2", previous: "1" });
    await audit.flush();
    expect(await secrets.rotationsBetween(clock.now() - 1, clock.now() + 1)).toBe(3);

    // Grace period: new work uses version 2, version 1 is still accepted.
    expect(await secrets.hmac.sign(message)).toMatch(/^v2\./);
    expect(await secrets.hmac.verify(message, oldSignature)).toBe(true);
    expect(await secrets.fieldCipher.open(oldToken, context)).toBe("Jane Doe");
    expect(secrets.fieldCipher.keyVersionOf(await secrets.fieldCipher.seal("x", context))).toBe("2");

    // The HMAC key retires after its grace period; the field key waits for re-encryption.
    clock.advance(MINTED_SECRETS.fieldEncryption.graceMs + 1);
    expect(await handlers.retireSecretVersions(scheduled("retireSecretVersions"))).toBe("done");
    expect(await stateOf(MINTED_SECRETS.internalHmac.id, "1")).toBe("DISABLED");
    expect(await stateOf(MINTED_SECRETS.fieldEncryption.id, "1")).toBe("ENABLED");
    expect(await aliasesOf(MINTED_SECRETS.internalHmac.id)).toEqual({ current: "2" });
    expect(await secrets.hmac.verify(message, oldSignature)).toBe(false);

    expect(await handlers.reencryptSecretData(scheduled("reencryptSecretData"))).toBe("done");
    expect(secrets.fieldCipher.keyVersionOf(String((await db.doc(path).get()).get("output")))).toBe("2");
    const [resealed] = (await db.doc("webhookEndpoints/ep1").get()).get("secrets") as Array<{ sealed: string }>;
    expect(resealed!.sealed).toMatch(/^v2\.2\./);
    clock.advance(1);
    expect(await handlers.retireSecretVersions(scheduled("retireSecretVersions"))).toBe("done");
    expect(await stateOf(MINTED_SECRETS.fieldEncryption.id, "1")).toBe("DISABLED");
    expect(await stateOf(MINTED_SECRETS.webhookSecretKey.id, "1")).toBe("DISABLED");

    // After the grace period: the old key no longer opens anything; re-encrypted data still reads.
    await expect(secrets.fieldCipher.open(oldToken, context)).rejects.toMatchObject({ constructor: FieldDecryptionError, reason: "key-unavailable" });
    expect((await secrets.fields.open(path, (await db.doc(path).get()).data()))?.["output"]).toBe("Answer for Jane's question");
    await expect(secrets.webhookSecrets.open(oldSealed, "ep1")).rejects.toThrow();
    expect(await secrets.webhookSecrets.open(resealed!.sealed, "ep1")).toBe("whsec_endpoint-secret");

    // Later still, disabled versions are destroyed.
    clock.advance(MINTED_SECRETS.fieldEncryption.destroyAfterMs + 1);
    await handlers.retireSecretVersions(scheduled("retireSecretVersions"));
    expect(await stateOf(MINTED_SECRETS.internalHmac.id, "1")).toBe("DESTROYED");
    expect(await stateOf(MINTED_SECRETS.fieldEncryption.id, "1")).toBe("DESTROYED");

    // Every step is in the audit trail (who, which secret and version, when, outcome).
    await audit.flush();
    const trail = (await db.collection(SECRET_AUDIT).get()).docs.map((d) => d.data());
    expect(trail.filter((e) => e["kind"] === "rotation" && e["secretId"] === MINTED_SECRETS.internalHmac.id).map((e) => `${e["version"]}:${e["outcome"]}`).sort()).toEqual(["1:destroyed", "1:disabled", "2:added", "2:aliases-moved"]);
    expect(trail.some((e) => e["kind"] === "access" && e["actor"] === "rotation-test" && e["outcome"] === "error" && e["version"] === "1")).toBe(true);
  });

  it("the access check learns who reads each secret, then flags a new reader, a spike and failed reads", async () => {
    const { db, clock, secrets, audit } = graph();
    const record = (actor: string, n: number) => {
      for (let i = 0; i < n; i++) audit.record({ kind: "access", secretId: "FIELD_ENCRYPTION_KEY", version: "3", actor, outcome: "ok", at: clock.now() });
    };
    record("api", 2);
    clock.advance(1000);
    await audit.flush();
    expect(await secrets.anomalies.run()).toEqual([]);
    clock.advance(3_600_000);
    record("api", 60);
    record("exportEverything", 1);
    for (let i = 0; i < 5; i++) audit.record({ kind: "access", secretId: "FIELD_ENCRYPTION_KEY", version: "2", actor: "api", outcome: "error", at: clock.now(), detail: "unavailable" });
    clock.advance(1000);
    await audit.flush();
    const alerts = await secrets.anomalies.run();
    expect(alerts.map((a) => `${a.type}:${a.actor}`).sort()).toEqual(["errors:api", "new-accessor:exportEverything", "spike:api"]);
    expect((await db.collection(SECRET_ALERTS).get()).size).toBe(3);
  });

  it("other notifications are ignored, and SECRET_ROTATE of a secret the backend cannot mint asks a person", async () => {
    const { db, handlers, audit } = graph();
    const event = (eventType: string, secretId: string): CloudEvent<MessagePublishedData> => ({
      id: `m-${randomBytes(4).toString("hex")}`,
      time: new Date().toISOString(),
      specversion: "1.0",
      source: "//pubsub.googleapis.com/",
      type: "google.cloud.pubsub.topic.v1.messagePublished",
      data: { message: { messageId: `m-${randomBytes(4).toString("hex")}`, publishTime: new Date().toISOString(), data: Buffer.from(JSON.stringify({ name: `projects/${projectId}/secrets/${secretId}` })).toString("base64"), attributes: { eventType, secretId: `projects/${projectId}/secrets/${secretId}` } }, subscription } as unknown as MessagePublishedData,
    });
    expect(await handlers.rotateSecrets(rotationEvent(event("SECRET_VERSION_ADD", MINTED_SECRETS.internalHmac.id)))).toBe("done");
    expect(await handlers.rotateSecrets(rotationEvent(event("SECRET_ROTATE", "OPENAI_API_KEY")))).toBe("done");
    expect(await handlers.rotateSecrets({ id: "bad", data: { eventType: "SECRET_ROTATE", secret: { name: "not a secret name" } }, attempt: 1 })).toBe("dead-lettered");
    await audit.flush();
    const trail = (await db.collection(SECRET_AUDIT).get()).docs.map((d) => `${d.get("secretId")}:${d.get("outcome")}`);
    expect(trail).toEqual(["OPENAI_API_KEY:manual-required"]);
  });
});
