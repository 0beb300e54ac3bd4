import { createApiKeyService } from "../../src/api-keys/api-key-service";
import { manualClock } from "../../src/lib/clock";
import { freshWorkspace, uniqueUid, userPrincipal } from "../helpers/firestore";

async function setup() {
  const ws = await freshWorkspace("keys");
  const clock = manualClock(Date.now());
  const apiKeys = createApiKeyService({ db: ws.db, clock, access: ws.access, cache: ws.cache });
  return { ...ws, clock, apiKeys };
}

describe("API keys on the real Firestore", () => {
  it("shows the secret once, stores only its hash, and authenticates with it", async () => {
    const { apiKeys, owner, workspaceId, db } = await setup();
    const { apiKey, secret } = await apiKeys.create(owner, { workspaceId, name: "ci", scopes: ["prompts:read"] });

    expect(secret).toMatch(/^rpl_/);
    const stored = (await db.doc(`apiKeys/${apiKey.keyId}`).get()).data() ?? {};
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored.hash).toHaveLength(64);
    expect(apiKey.prefix).toBe(secret.slice(0, apiKey.prefix.length));

    const principal = await apiKeys.authenticate(secret);
    expect(principal).toMatchObject({ kind: "apiKey", keyId: apiKey.keyId, workspaceId, scopes: ["prompts:read"] });
    const listed = await apiKeys.list(owner, workspaceId);
    expect(listed.find((k) => k.keyId === apiKey.keyId)?.lastUsedAt).not.toBeNull();
  });

  it("refuses revoked, expired, tampered and malformed keys with one message", async () => {
    const { apiKeys, owner, workspaceId, clock } = await setup();
    const revoked = await apiKeys.create(owner, { workspaceId, name: "revoked", scopes: ["prompts:read"] });
    await apiKeys.revoke(owner, workspaceId, revoked.apiKey.keyId);
    const expiring = await apiKeys.create(owner, { workspaceId, name: "expiring", scopes: ["prompts:read"], expiresAt: new Date(clock.now() + 60_000).toISOString() });
    clock.advance(61_000);
    const tampered = `${revoked.secret.slice(0, -1)}${revoked.secret.endsWith("A") ? "B" : "A"}`;

    for (const presented of [revoked.secret, expiring.secret, tampered, "not-a-key"]) {
      await expect(apiKeys.authenticate(presented)).rejects.toMatchObject({ code: "unauthenticated", message: "Invalid or expired API key." });
    }
  });

  it("lets only admins and owners manage keys, and never across workspaces", async () => {
    const { apiKeys, workspaceId, addMember } = await setup();
    const other = await setup();
    const editor = uniqueUid("editor");
    await addMember(editor, "editor");

    await expect(apiKeys.create(userPrincipal(editor), { workspaceId, name: "x", scopes: ["prompts:read"] })).rejects.toMatchObject({ code: "permission-denied" });
    await expect(apiKeys.list(other.owner, workspaceId)).rejects.toMatchObject({ code: "not-found" });
  });

  it("rejects an expiry in the past and writes nothing", async () => {
    const { apiKeys, owner, workspaceId, clock } = await setup();

    await expect(apiKeys.create(owner, { workspaceId, name: "past", scopes: ["prompts:read"], expiresAt: new Date(clock.now() - 1000).toISOString() })).rejects.toMatchObject({ code: "invalid-argument" });
    expect(await apiKeys.list(owner, workspaceId)).toEqual([]);
  });
});
