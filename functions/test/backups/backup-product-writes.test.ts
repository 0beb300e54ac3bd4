import { createIncrementalBackups } from "../../src/backups/backup-incremental";
import { INCREMENTAL_EXCLUSIONS, DEFAULT_INCREMENTAL_COLLECTIONS } from "../../src/backups/backup-queries";
import { createBackupRestore } from "../../src/backups/backup-restore";
import { createApp } from "../../src/app/root";
import { userPrincipal } from "../helpers/firestore";
import { systemClock } from "../../src/lib/clock";
import { rejectingChallengeVerifier, resolveRateLimitConfig } from "../../src/lib/rate-limit";
import { createLocalProvider } from "../../src/providers/local-provider";
import { createPromptBody, createVersionBody } from "../../src/prompts/prompt-schemas";
import { runExecutionBody } from "../../src/executions/execution-schemas";
import { createEndpointInput, updateEndpointInput } from "../../src/webhooks/webhook-schemas";
import { createFixture, dumpDatabase, firestoreFor, fullBackup, type Fixture } from "./backup-fixture";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BOOKKEEPING = new Set(["backups", "backupIncrementals", "backupState", "tombstones", "backupDrills"]);

/** The product's own graph on the fixture's database: every write below goes through a real service. */
function productOn(f: Fixture) {
  const provider = createLocalProvider();
  return createApp({
    db: f.db,
    redis: null,
    bucket: () => {
      throw new Error("text documents only in this test");
    },
    provider: () => provider,
    clock: systemClock,
    redisTimeoutMs: 1_000,
    signUploads: false,
    rateLimit: { config: resolveRateLimitConfig({}), verifier: rejectingChallengeVerifier, trustedProxyHops: 1 },
    publisher: { publish: async () => "unused" },
    webhooks: { secretKey: () => "backup-test-webhook-key-0123456789", http: async () => ({ kind: "response", status: 200, retryAfter: null, body: "" }), allowLocalUrls: true },
  }).services;
}

/**
 * The contract between the services and the hourly backup: every write a service makes either
 * moves `updatedAt` on a scanned collection or writes a tombstone with its delete, so the last
 * export plus the hourly files reproduce the database. Collections left out of the hourly scan
 * (INCREMENTAL_EXCLUSIONS) are compared only as far as the daily export holds them.
 */
test("every product write after the export is carried by the hourly file: restore equals the live database", async () => {
  const f = await createFixture({ incrementalCollections: DEFAULT_INCREMENTAL_COLLECTIONS.split(",") });
  const s = productOn(f);
  const ownerUid = "backup-owner";
  const owner = userPrincipal(ownerUid);

  // Before the export: a workspace with members, a prompt with versions and a label, documents, a key, an endpoint, a run.
  const workspace = await s.workspaces.create(ownerUid, { name: "Backed up" });
  const w = workspace.id;
  await s.workspaces.setMember(owner, { workspaceId: w, uid: "member-a", role: "editor" });
  await s.workspaces.setMember(owner, { workspaceId: w, uid: "member-b", role: "viewer" });
  const { prompt } = await s.prompts.createPrompt(owner, w, createPromptBody.parse({ name: "Greeter", template: "Hello {{name}}", variables: [{ name: "name", type: "string" }] }));
  await s.prompts.createVersion(owner, w, prompt.id, createVersionBody.parse({ template: "Hi {{name}}", variables: [{ name: "name", type: "string" }] }));
  await s.prompts.setLabel(owner, w, prompt.id, "production", 1);
  const { prompt: doomed } = await s.prompts.createPrompt(owner, w, createPromptBody.parse({ name: "Doomed", template: "bye" }));
  const kept = await s.knowledge.createDocument(owner, w, { title: "Kept", text: "# Refunds\n\nRefunds take five days.\n\n# Shipping\n\nShipping is free." });
  const gone = await s.knowledge.createDocument(owner, w, { title: "Gone", text: "Temporary notes about nothing." });
  const { apiKey } = await s.apiKeys.create(owner, { workspaceId: w, name: "ci", scopes: ["prompts:read"] });
  const { endpoint } = await s.webhooks.create(owner, createEndpointInput.parse({ workspaceId: w, url: "https://hooks.example.com/a", eventTypes: ["execution.completed"] }));
  await s.executions.run(owner, w, runExecutionBody.parse({ promptId: prompt.id, label: "production", variables: { name: "Ada" } }));

  const backupId = await fullBackup(f);
  await sleep(5);

  // After the export: every kind of change the services make.
  await s.workspaces.setMember(owner, { workspaceId: w, uid: "member-a", role: "admin" });
  await s.workspaces.removeMember(owner, w, "member-b");
  await s.workspaces.setMember(owner, { workspaceId: w, uid: "member-c", role: "viewer" });
  await s.prompts.updatePromptMetadata(owner, w, prompt.id, { description: "says hello", tags: ["greeting"] });
  await s.prompts.createVersion(owner, w, prompt.id, createVersionBody.parse({ template: "Hey {{name}}!", variables: [{ name: "name", type: "string" }] }));
  await s.prompts.setLabel(owner, w, prompt.id, "production", 3);
  await s.prompts.setLabel(owner, w, prompt.id, "staging", 2);
  await s.prompts.deleteLabel(owner, w, prompt.id, "staging");
  await s.prompts.archivePrompt(owner, w, doomed.id);
  await s.prompts.deletePrompt(owner, w, doomed.id);
  await s.knowledge.reingestDocument(owner, w, kept.id, { text: "# Refunds\n\nRefunds now take three days." });
  await s.knowledge.deleteDocument(owner, w, gone.id);
  await s.knowledge.createDocument(owner, w, { title: "New", text: "Fresh content after the export." });
  await s.apiKeys.revoke(owner, w, apiKey.keyId);
  await s.apiKeys.create(owner, { workspaceId: w, name: "new key", scopes: ["prompts:read"] });
  await s.webhooks.update(owner, updateEndpointInput.parse({ workspaceId: w, endpointId: endpoint.id, description: "renamed" }));
  await s.webhooks.rotateSecret(owner, w, endpoint.id);
  const { endpoint: other } = await s.webhooks.create(owner, createEndpointInput.parse({ workspaceId: w, url: "https://hooks.example.com/b", eventTypes: ["execution.completed"] }));
  await s.webhooks.remove(owner, w, other.id);
  await s.executions.run(owner, w, runExecutionBody.parse({ promptId: prompt.id, version: 3, variables: { name: "Grace" }, retrieval: { topK: 2 } }));
  await s.prompts.archivePrompt(owner, w, prompt.id);
  await sleep(5);

  const file = await createIncrementalBackups(f.deps()).run();
  const restored = firestoreFor(`${f.databaseId}-product`);
  await createBackupRestore({ ...f.deps(), target: (databaseId) => firestoreFor(databaseId) }).restore({ backupId, databaseId: `${f.databaseId}-product` });

  const skip = new Set([...BOOKKEEPING, ...Object.keys(INCREMENTAL_EXCLUSIONS)]);
  const [live, back] = await Promise.all([dumpDatabase(f.db, skip), dumpDatabase(restored, skip)]);
  // Every collection the workload wrote is either scanned hourly or excluded with a reason.
  const collections = new Set(Object.keys(await dumpDatabase(f.db, BOOKKEEPING)).map((path) => path.split("/").at(-2)!));
  const scanned = new Set(DEFAULT_INCREMENTAL_COLLECTIONS.split(","));
  expect([...collections].filter((c) => !scanned.has(c) && !Object.hasOwn(INCREMENTAL_EXCLUSIONS, c))).toEqual([]);
  expect(Object.keys(live).length).toBeGreaterThan(20);
  const differing = Object.keys({ ...live, ...back }).filter((path) => JSON.stringify(live[path]) !== JSON.stringify(back[path]));
  expect(differing).toEqual([]);
  expect(file?.deletes).toBeGreaterThan(0);
});
