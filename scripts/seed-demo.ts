// Seeds the local stack with the demo accounts printed by `npm start` and a few example records.
// Idempotent: running it twice leaves the same data. Talks only to the emulators (env from stack).
import { initializeApp } from "firebase-admin/app";
import { getAuth } from "firebase-admin/auth";
import { getFirestore, Timestamp } from "firebase-admin/firestore";
// @ts-expect-error plain ESM module shared with the stack scripts
import { DEMO_USERS, PROJECT_ID } from "./stack/config.mjs";

type DemoUser = { uid: string; email: string; password: string; displayName: string; admin: boolean };

async function main(): Promise<void> {
  if (!process.env.FIREBASE_AUTH_EMULATOR_HOST || !process.env.FIRESTORE_EMULATOR_HOST) {
    throw new Error("seed-demo only runs against the emulators (FIREBASE_AUTH_EMULATOR_HOST and FIRESTORE_EMULATOR_HOST unset).");
  }
  const app = initializeApp({ projectId: PROJECT_ID as string });
  const auth = getAuth(app);
  const db = getFirestore(app);
  const now = Timestamp.now();

  for (const user of DEMO_USERS as DemoUser[]) {
    await auth.createUser({ uid: user.uid, email: user.email, password: user.password, displayName: user.displayName, emailVerified: true }).catch((error: { code?: string }) => {
      if (error.code !== "auth/uid-already-exists" && error.code !== "auth/email-already-exists") throw error;
    });
    await auth.setCustomUserClaims(user.uid, user.admin ? { admin: true } : {});
    await db.doc(`users/${user.uid}`).set({ uid: user.uid, plan: user.admin ? "enterprise" : "free", displayName: user.displayName, createdAt: now }, { merge: true });
  }

  const workspace = db.doc("workspaces/demo-workspace");
  const batch = db.batch();
  batch.set(workspace, { name: "Demo workspace", description: "Seeded by npm start", plan: "pro", ownerUid: "demo-user", createdAt: now, updatedAt: now });
  batch.set(workspace.collection("members").doc("demo-user"), { uid: "demo-user", workspaceId: workspace.id, role: "owner", addedAt: now });
  batch.set(workspace.collection("members").doc("demo-admin"), { uid: "demo-admin", workspaceId: workspace.id, role: "admin", addedAt: now });
  await batch.commit();
  console.log(`Seeded ${DEMO_USERS.length} demo users and workspace ${workspace.id}.`);
}

main().catch((error: unknown) => {
  console.error("seed-demo failed:", error instanceof Error ? error.message : error);
  process.exit(1);
});
