/**
 * The data a load run works on, made through the product's own operations (as seed-demo does):
 * users who sign in through the Auth emulator, teams of ten sharing a workspace with a labelled
 * prompt and a document, and one API key per user. Users and workspaces are on the enterprise
 * plan so the limiter's per-identity quotas do not cap what is being measured; refusals are still
 * counted and reported.
 */
import type { Principal } from "../../functions/src/identity/principal";

export type LoadUser = { uid: string; email: string; idToken: string; apiKey: string; workspaceId: string; promptId: string };

export type Seeded = {
  users: LoadUser[];
  /** The document the one-read baseline reads. */
  baselineDoc: string;
  /** Sign-in round trips through the Auth emulator, in ms (the journey's first step). */
  signInMs: number[];
};

const TEAM_SIZE = 10;
const PASSWORD = "load-password";

const DOCUMENT_TEXT = [
  "# Refund policy",
  "Customers can ask for a full refund within 30 days of purchase. Refunds reach the original payment method within 5 business days.",
  "## Shipping",
  "Orders ship within two business days. Express delivery is available in most regions for an extra fee.",
  "## Support hours",
  "Support answers by email on weekdays from 9:00 to 18:00 and by chat for enterprise customers.",
].join("\n\n");

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T, index);
      }
    }),
  );
  return results;
}

async function authCall(authUrl: string, method: string, body: unknown): Promise<{ idToken: string; localId: string }> {
  const res = await fetch(`${authUrl}/identitytoolkit.googleapis.com/v1/accounts:${method}?key=local`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`Auth emulator ${method}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { idToken: string; localId: string };
}

/** Signs every user in again (ID tokens last an hour; a long endurance run refreshes them). */
export async function signIn(authUrl: string, users: LoadUser[]): Promise<number[]> {
  return pool(users, 10, async (user) => {
    const started = performance.now();
    const { idToken } = await authCall(authUrl, "signInWithPassword", { email: user.email, password: PASSWORD, returnSecureToken: true });
    user.idToken = idToken;
    return performance.now() - started;
  });
}

/** Seeds `userCount` users; `env` must already be in process.env (the product's clients read it). */
export async function seed(authUrl: string, userCount: number): Promise<Seeded> {
  const { Timestamp } = await import("firebase-admin/firestore");
  const { firestore } = await import("../../functions/src/app/clients");
  const { app } = await import("../../functions/src/app/production");
  const { invokeOperation } = await import("../../functions/src/api/operation");
  const { promptOperations } = await import("../../functions/src/prompts/prompt-operations");
  const { knowledgeOperations } = await import("../../functions/src/knowledge/knowledge-operations");
  const { apiKeyOperations } = await import("../../functions/src/api-keys/api-key-operations");
  const db = firestore();
  const { services } = app();
  const now = Timestamp.now();

  const accounts = await pool(
    Array.from({ length: userCount }, (_, i) => i),
    10,
    async (i) => {
      const email = `load-${i}@example.com`;
      const { localId } = await authCall(authUrl, "signUp", { email, password: PASSWORD, returnSecureToken: true });
      await db.doc(`users/${localId}`).set({ uid: localId, plan: "enterprise", displayName: `Load user ${i}`, createdAt: now });
      return { uid: localId, email };
    },
  );

  const teams = Array.from({ length: Math.ceil(userCount / TEAM_SIZE) }, (_, t) => accounts.slice(t * TEAM_SIZE, (t + 1) * TEAM_SIZE));
  const users = (
    await pool(teams, 4, async (team, t) => {
      const workspaceId = `load-ws-${t}`;
      const owner = team[0];
      if (!owner) return [];
      const batch = db.batch();
      batch.set(db.doc(`workspaces/${workspaceId}`), { name: `Load team ${t}`, description: "Load test", plan: "enterprise", ownerUid: owner.uid, createdAt: now, updatedAt: now });
      team.forEach((member, m) =>
        batch.set(db.doc(`workspaces/${workspaceId}/members/${member.uid}`), { uid: member.uid, workspaceId, role: m === 0 ? "owner" : "admin", addedAt: now }),
      );
      await batch.commit();
      const principal: Principal = { kind: "user", uid: owner.uid };
      const variables = [{ name: "question", type: "string" as const, required: true }];
      const { prompt } = await invokeOperation(promptOperations.createPrompt, services, principal, {
        workspaceId,
        name: "Support answer",
        template: "You are a support agent. Cite sources as [n].\n\nQuestion: {{question}}",
        variables,
      });
      await invokeOperation(promptOperations.setPromptLabel, services, principal, { workspaceId, promptId: prompt.id, label: "production", version: 1 });
      await invokeOperation(knowledgeOperations.createDocument, services, principal, { workspaceId, title: "Customer handbook", text: DOCUMENT_TEXT });
      return pool(team, 2, async (member) => {
        const { secret } = await invokeOperation(apiKeyOperations.createApiKey, services, { kind: "user", uid: member.uid } as Principal, {
          workspaceId,
          name: `load key ${member.uid}`,
          scopes: ["prompts:read", "documents:read", "executions:read", "executions:run"],
        });
        return { ...member, idToken: "", apiKey: secret, workspaceId, promptId: prompt.id };
      });
    })
  ).flat();

  await db.doc("load/baseline").set({ name: "baseline", createdAt: now });
  const signInMs = await signIn(authUrl, users);
  return { users, baselineDoc: "load/baseline", signInMs };
}
