// Seeds the local stack with the demo accounts printed by `npm start` and a few example records.
// Idempotent: running it twice leaves the same data. Talks only to the emulators (env from stack).
import { getAuth } from "firebase-admin/auth";
import { Timestamp } from "firebase-admin/firestore";
import fs from "node:fs";
import { firebaseApp, firestore, secretManager } from "../functions/src/app/clients";
import { invokeOperation } from "../functions/src/api/operation";
import { app } from "../functions/src/app/production";
import { knowledgeOperations } from "../functions/src/knowledge/knowledge-operations";
import { promptOperations } from "../functions/src/prompts/prompt-operations";
import { MINTED_SECRETS, SECRET_ROTATION_TOPIC } from "../functions/src/secrets/secret-catalog";
// @ts-expect-error plain ESM module shared with the stack scripts
import { DEMO_USERS, PROJECT_ID } from "./stack/config.mjs";

type DemoUser = { uid: string; email: string; password: string; displayName: string; admin: boolean };

async function main(): Promise<void> {
  if (!process.env.FIREBASE_AUTH_EMULATOR_HOST || !process.env.FIRESTORE_EMULATOR_HOST) {
    throw new Error("seed-demo only runs against the emulators (FIREBASE_AUTH_EMULATOR_HOST and FIRESTORE_EMULATOR_HOST unset).");
  }
  process.env.GCLOUD_PROJECT ??= PROJECT_ID as string;
  const auth = getAuth(firebaseApp());
  const db = firestore();
  const now = Timestamp.now();

  for (const user of DEMO_USERS as DemoUser[]) {
    await auth.createUser({ uid: user.uid, email: user.email, password: user.password, displayName: user.displayName, emailVerified: true }).catch((error: { code?: string }) => {
      if (error.code !== "auth/uid-already-exists" && error.code !== "auth/email-already-exists") throw error;
    });
    await auth.setCustomUserClaims(user.uid, user.admin ? { admin: true } : {});
    await db.doc(`users/${user.uid}`).set({ uid: user.uid, plan: user.admin ? "enterprise" : "pro", displayName: user.displayName, createdAt: now }, { merge: true });
  }

  await seedRotatingSecrets(PROJECT_ID as string);

  const workspace = db.doc("workspaces/demo-workspace");
  const batch = db.batch();
  batch.set(workspace, { name: "Demo workspace", description: "Seeded by npm start", plan: "pro", ownerUid: "demo-user", createdAt: now, updatedAt: now });
  batch.set(workspace.collection("members").doc("demo-user"), { uid: "demo-user", workspaceId: workspace.id, role: "owner", addedAt: now });
  batch.set(workspace.collection("members").doc("demo-admin"), { uid: "demo-admin", workspaceId: workspace.id, role: "admin", addedAt: now });
  await batch.commit();

  // Example records made through the product's own operations, exactly as a user's requests would.
  const demo = { kind: "user" as const, uid: "demo-user" };
  const { services } = app();
  const existing = await invokeOperation(promptOperations.listPrompts, services, demo, { workspaceId: workspace.id });
  if (existing.items.length === 0) {
    const { prompt } = await invokeOperation(promptOperations.createPrompt, services, demo, {
      workspaceId: workspace.id,
      name: "Support answer",
      description: "Answers a customer question from the knowledge base, citing its sources.",
      tags: ["support", "demo"],
      template: "Answer the customer's question in a {{tone}} tone.\n\nQuestion: {{question}}",
      variables: [
        { name: "question", type: "string", required: true, description: "The customer's question" },
        { name: "tone", type: "enum", allowedValues: ["friendly", "formal"], default: "friendly" },
      ],
    });
    const v2 = await invokeOperation(promptOperations.createPromptVersion, services, demo, {
      workspaceId: workspace.id,
      promptId: prompt.id,
      template: "You are a support agent. Answer in a {{tone}} tone and cite sources as [n].\n\nQuestion: {{question}}",
      variables: [
        { name: "question", type: "string", required: true, description: "The customer's question" },
        { name: "tone", type: "enum", allowedValues: ["friendly", "formal"], default: "friendly" },
      ],
      message: "Ask for citations",
    });
    await invokeOperation(promptOperations.setPromptLabel, services, demo, { workspaceId: workspace.id, promptId: prompt.id, label: "production", version: v2.version });
    const document = await invokeOperation(knowledgeOperations.createDocument, services, demo, {
      workspaceId: workspace.id,
      title: "Refund policy",
      text: "# Refund policy\n\nCustomers can ask for a full refund within 30 days of purchase.\n\n## How to ask\n\nWrite to support with the order number. Refunds reach the original payment method within 5 business days.\n",
    });
    // Ingestion records its failures on the document instead of throwing: a demo must not start broken.
    if (document.status !== "ready") throw new Error(`the demo document ended ${document.status}: ${document.error ?? "no reason recorded"}`);
    console.log(`Seeded prompt ${prompt.id} (2 versions, label production -> v${v2.version}) and a document.`);
  }
  console.log(`Seeded ${DEMO_USERS.length} demo users and workspace ${workspace.id}.`);
}

/**
 * The keys the backend rotates, created in the local Secret Manager server as operations create
 * them in production (docs/secrets.md): rotation topic and a 30-day schedule, first version = the
 * throwaway value of `.secret.local`, so `POST :8086/rotations:run?secret=...` rotates one now
 * through `rotateSecrets`, end to end.
 */
async function seedRotatingSecrets(projectId: string): Promise<void> {
  const file = process.env.SECRETS_LOCAL_FILE;
  if (!process.env.SECRET_MANAGER_EMULATOR_HOST || !file || !fs.existsSync(file)) return;
  const values = new Map(
    fs
      .readFileSync(file, "utf8")
      .split("\n")
      .map((line) => /^([A-Z_]+)=(.*)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
  const client = secretManager();
  const day = 86_400;
  for (const { id } of Object.values(MINTED_SECRETS)) {
    const value = values.get(id);
    if (!value) continue;
    try {
      const [secret] = await client.createSecret({
        parent: `projects/${projectId}`,
        secretId: id,
        secret: {
          replication: { automatic: {} },
          topics: [{ name: `projects/${projectId}/topics/${SECRET_ROTATION_TOPIC}` }],
          rotation: { rotationPeriod: { seconds: 30 * day }, nextRotationTime: { seconds: Math.floor(Date.now() / 1000) + 30 * day } },
        },
      });
      await client.addSecretVersion({ parent: secret.name ?? "", payload: { data: Buffer.from(value) } });
    } catch (error) {
      // 6 = ALREADY_EXISTS: a stack started before (the server keeps them while it runs).
      if ((error as { code?: number }).code !== 6) throw error;
    }
  }
}

main().catch((error: unknown) => {
  console.error("seed-demo failed:", error instanceof Error ? error.message : error);
  process.exit(1);
});
